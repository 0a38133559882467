//! The `count` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "count",
    signature: "count(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "how many values `x` has; unknown when one of them is unknown",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let a = arg(&args, 0);
    if a.iter().any(Val::is_unknown) {
        return vec![Val::unknown("count of unknown values")];
    }
    let n = a.iter().filter(|v| !v.is_absent()).count();
    vec![Val::new(V::Str(Cow::Owned(n.to_string()), true))]
}
