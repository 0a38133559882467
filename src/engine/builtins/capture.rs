//! The `capture` built-in function; what it does is its `doc`.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, text};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "capture",
    signature: "capture(x, \"regex\")",
    args: &[ArgKind::Value, ArgKind::Regex],
    min: 2,
    max: 2,
    aws: false,
    doc: "per alternative of `x`: the first group the regular expression captures (the whole match when it has no group); absent when a string does not match, unknown for a value that is not a string. Text with deploy-time parts is matched as `text(x)` writes it, and unknown when it does not match or the capture includes a deploy-time part",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let pattern = arg(&args, 1)
        .first()
        .and_then(|p| p.as_str().map(String::from));
    let Some(re) = pattern.as_deref().and_then(compiled) else {
        return vec![Val::unknown("not a regular expression")];
    };
    arg(&args, 0).into_iter().map(|v| capture(&re, v)).collect()
}

fn capture<'g>(re: &regex::Regex, v: Val<'g>) -> Val<'g> {
    let deploy_time = matches!(v.v, V::Text(..));
    let v = text::as_text(v);
    let s = match &v.v {
        V::Str(s, _) => s,
        V::Absent | V::Unknown(_) => return v,
        // A resource's name or ARN, a list or an object is no text to match (as `matches`).
        _ => {
            return Val {
                v: V::Unknown("not a string".into()),
                ..v
            };
        }
    };
    let found = re
        .captures(s)
        .and_then(|c| c.get(1).or_else(|| c.get(0)))
        .map(|m| m.as_str().to_string());
    let value = match found {
        Some(c) if deploy_time && c.contains("${...}") => {
            V::Unknown("the capture includes a deploy-time part".into())
        }
        Some(c) => V::Str(Cow::Owned(c), false),
        None if deploy_time => V::Unknown("text known at deploy time".into()),
        None => V::Absent,
    };
    Val { v: value, ..v }
}

/// Patterns are few and fixed: each is compiled once per thread.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, Option<regex::Regex>>> = Default::default();
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| regex::Regex::new(pattern).ok())
            .clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn captures_the_first_group_and_is_unknown_for_deploy_time_parts() {
        let re =
            regex::Regex::new(r"^com\.amazonaws\.(?:\$\{\.\.\.\}|[^.]+)\.(.+)$").expect("regex");
        let got = |v: Val<'static>| {
            let c = capture(&re, v);
            (c.as_str().map(String::from), c.is_unknown(), c.is_absent())
        };
        assert_eq!(
            got(Val::str("com.amazonaws.eu-west-1.ecr.dkr")),
            (Some("ecr.dkr".into()), false, false)
        );
        let region = Val::new(V::Text(
            "com.amazonaws.\u{E000}0\u{E001}.s3".into(),
            Rc::new(vec![Val::unknown("region")]),
        ));
        assert_eq!(got(region), (Some("s3".into()), false, false));
        assert_eq!(got(Val::str("something-else")), (None, false, true));
        let hole = Val::new(V::Text(
            "\u{E000}0\u{E001}".into(),
            Rc::new(vec![Val::unknown("x")]),
        ));
        assert_eq!(got(hole), (None, true, false));
    }
}
