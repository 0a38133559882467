//! The `less` built-in function; what it does is its `doc`.

use std::rc::Rc;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "less",
    signature: "less(a, b)",
    args: &[ArgKind::Value, ArgKind::Value],
    min: 2,
    max: 2,
    aws: false,
    doc: "true when number `a` is smaller than number `b`, false when it is not (numbers written as strings count: `'512'`); unknown when either is not a number before deployment or is absent. `not less(a, b)` is `a >= b`",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let (a, b) = (arg(&args, 0), arg(&args, 1));
    let mut out = Vec::new();
    // Every pair of alternatives that can hold together (their Fn::If conditions agree).
    for x in &a {
        for y in &b {
            let Some(facts) = x.facts.merge(&y.facts) else {
                continue;
            };
            let v = match (number(x), number(y)) {
                (Some(p), Some(q)) => V::Bool(p < q),
                _ => V::Unknown(Rc::from("not a number before deployment")),
            };
            out.push(Val {
                facts,
                ..Val::new(v)
            });
        }
    }
    out
}

/// The number a value stands for: a scalar that reads as one.
pub(crate) fn number(v: &Val<'_>) -> Option<f64> {
    v.as_str()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Outcome, load};

    fn less_of(a: Val<'static>, b: Val<'static>) -> Option<bool> {
        let Outcome::Loaded { graph, .. } = load("t.yaml", b"Resources: {}\n".to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let out = eval(&ctx, vec![vec![a], vec![b]]);
        assert_eq!(out.len(), 1);
        out[0].truth()
    }

    #[test]
    fn numbers_and_numeric_strings_compare_by_value() {
        assert_eq!(less_of(Val::str("512"), Val::str("8192")), Some(true));
        assert_eq!(less_of(Val::str("8192"), Val::str("8192")), Some(false));
        assert_eq!(less_of(Val::str("10240"), Val::str("8192")), Some(false));
        assert_eq!(less_of(Val::str(" 1.5"), Val::str("2")), Some(true));
    }

    #[test]
    fn anything_else_is_unknown() {
        assert_eq!(less_of(Val::str("2 GB"), Val::str("8192")), None);
        assert_eq!(less_of(Val::absent(), Val::str("8192")), None);
        assert_eq!(less_of(Val::unknown("param"), Val::str("1")), None);
    }
}
