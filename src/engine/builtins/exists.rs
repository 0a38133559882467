//! The `exists` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{Facts, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "exists",
    signature: "exists(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "true when `x` has a value; unknown when it may",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    vec![exists(&arg(&args, 0))]
}

fn exists<'g>(vals: &Vals<'g>) -> Val<'g> {
    if vals.iter().any(|v| !v.is_absent() && !v.is_unknown()) {
        let present = vals.iter().filter(|v| !v.is_absent() && !v.is_unknown());
        let facts = Facts::common(present.map(|v| &v.facts)).unwrap_or_default();
        return Val {
            facts,
            ..Val::bool(true)
        };
    }
    if vals.iter().any(Val::is_unknown) {
        Val::unknown("unknown")
    } else {
        Val::bool(false)
    }
}
