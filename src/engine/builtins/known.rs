//! The `known` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "known",
    signature: "known(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "per alternative: false when its value is known only at deploy time, true otherwise (absent too); never unknown, so a rule can fall back to other evidence: `a if known(a) | b if not known(a)`",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0).into_iter().map(known).collect()
}

/// For each alternative: `false` when its value is known only at deploy time (unknown, or
/// text with holes), `true` otherwise, absent included. Never unknown itself, so a rule can
/// fall back to other evidence where one source cannot be known.
fn known(v: Val<'_>) -> Val<'_> {
    let k = !matches!(v.v, V::Unknown(_) | V::Text(..));
    Val { v: V::Bool(k), ..v }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::value::Facts;
    use std::rc::Rc;

    #[test]
    fn known_is_false_only_for_deploy_time_values_and_keeps_facts() {
        let when = Facts::one("IsArm", "true");
        let arm = Val {
            facts: when.clone(),
            ..Val::str("ARM64")
        };
        let k = known(arm);
        assert_eq!(k.truth(), Some(true));
        assert_eq!(k.facts, when);
        assert_eq!(known(Val::absent()).truth(), Some(true));
        assert_eq!(known(Val::unknown("a parameter")).truth(), Some(false));
        let text = Val::new(V::Text(
            "ami-\u{E000}0\u{E001}".into(),
            Rc::new(vec![Val::unknown("x")]),
        ));
        assert_eq!(known(text).truth(), Some(false));
    }
}
