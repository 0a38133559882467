//! The `text` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "text",
    signature: "text(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "text with deploy-time parts (`Fn::Sub`, `Fn::Join`) as a string, each part written `${...}`, so `matches` can test the literal parts: `text(c.Image) matches \"\\.dkr\\.ecr\\.\"`; other values unchanged",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0).into_iter().map(as_text).collect()
}

/// Text with holes as a string, each deploy-time part written `${...}`, so that `matches`
/// can test the literal parts (`${...}.dkr.ecr.${...}.amazonaws.com/app`). Other values are
/// returned unchanged.
pub fn as_text(v: Val<'_>) -> Val<'_> {
    match &v.v {
        V::Text(t, _) => {
            let s = crate::graph::value::fill_holes(t, |_| "${...}".to_string());
            Val {
                v: V::Str(Cow::Owned(s), false),
                ..v
            }
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::value::Facts;
    use std::rc::Rc;

    #[test]
    fn text_writes_deploy_time_parts_as_placeholders_and_keeps_facts() {
        let when = Facts::one("UseEcr", "true");
        let holes = Rc::new(vec![Val::unknown("account"), Val::unknown("region")]);
        let image = Val {
            facts: when.clone(),
            ..Val::new(V::Text(
                "\u{E000}0\u{E001}.dkr.ecr.\u{E000}1\u{E001}.amazonaws.com/app".into(),
                holes,
            ))
        };
        let t = as_text(image);
        assert_eq!(t.as_str(), Some("${...}.dkr.ecr.${...}.amazonaws.com/app"));
        assert_eq!(t.facts, when);
        assert_eq!(as_text(Val::str("nginx:1")).as_str(), Some("nginx:1"));
        assert!(as_text(Val::unknown("a parameter")).is_unknown());
        assert!(as_text(Val::absent()).is_absent());
    }
}
