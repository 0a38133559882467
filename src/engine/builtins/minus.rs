//! The `minus` built-in function; what it does is its `doc`.

use std::rc::Rc;

use crate::engine::builtins::flatten;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "minus",
    signature: "minus(a, b)",
    args: &[ArgKind::Value, ArgKind::Value],
    min: 2,
    max: 2,
    aws: false,
    doc: "the items of list `a` that are not in list `b` (unknown when either is)",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    vec![minus(ctx, &arg(&args, 0), &arg(&args, 1))]
}

/// The items of `a` that are definitely not in `b`; unknown when that cannot be told.
fn minus<'g>(ctx: &Ctx<'g>, a: &Vals<'g>, b: &Vals<'g>) -> Val<'g> {
    let a: Vals<'g> = a
        .iter()
        .cloned()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    let b: Vals<'g> = b
        .iter()
        .cloned()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    if a.iter()
        .chain(&b)
        .any(|v| v.is_unknown() || matches!(v.v, V::Text(..)))
    {
        return Val::unknown("a set known only at deploy time");
    }
    let eval = |x: &Val<'g>, y: &Val<'g>| {
        x.as_str().is_some() && x.as_str() == y.as_str() || ctx.display(x) == ctx.display(y)
    };
    let rest: Vals<'g> = a
        .into_iter()
        .filter(|x| !b.iter().any(|y| eval(x, y)))
        .collect();
    Val::new(V::List(Rc::new(rest)))
}
