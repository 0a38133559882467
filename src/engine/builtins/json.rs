//! The `json` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::json_text;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::Node;

pub const BUILTIN: Builtin = Builtin {
    name: "json",
    signature: "json(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "parses JSON text (a `DefinitionString`, a policy written as a string) into an object; unknown when the text is not JSON before deployment",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0).into_iter().map(|v| parse(ctx, v)).collect()
}

/// Parses JSON text (a `DefinitionString`, a policy written as a string) into a value.
pub fn parse<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let text: String = match &v.v {
        V::Str(s, _) => s.to_string(),
        V::Text(t, _) => t.to_string(),
        V::Node(_) => return v,
        _ => return v,
    };
    let span = v.span.clone().unwrap_or_default();
    match json_text::parse(&text, &span) {
        Some(parsed) => {
            let node: &'g Node = ctx.arena.alloc(parsed);
            Val {
                v: V::Node(node),
                ..v
            }
        }
        None => Val {
            v: V::Unknown("not JSON until deployed".into()),
            ..v
        },
    }
}
