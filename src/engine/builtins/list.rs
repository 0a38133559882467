//! The `list` built-in function; what it does is its `doc`.

use std::rc::Rc;

use crate::engine::builtins::flatten;
use crate::engine::builtins::{ArgKind, Builtin, Vals};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "list",
    signature: "list(a, b, ...)",
    args: &[ArgKind::Value],
    min: 0,
    max: usize::MAX,
    aws: false,
    doc: "one list of all the values (absent ones left out)",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let items: Vals<'g> = args
        .into_iter()
        .flatten()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    vec![Val::new(V::List(Rc::new(items)))]
}
