//! The `parameters` built-in function; what it does is its `doc`.

use crate::engine::builtins::{Builtin, Vals};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::{Entry, Kind, Node};

pub const BUILTIN: Builtin = Builtin {
    name: "parameters",
    signature: "parameters()",
    args: &[],
    min: 0,
    max: 0,
    aws: false,
    doc: "every parameter of the template as an object with `Name`, `Type`, `Default` and `AllowedValues` (those it declares), one alternative each; absent when there is none",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, _args: Vec<Vals<'g>>) -> Vals<'g> {
    ctx.graph
        .parameters
        .iter()
        .map(|p| {
            let span = p.span.clone();
            let entry = |key: &str, value: Node| Entry {
                key: key.to_string(),
                key_span: span.clone(),
                value,
            };
            let text = |s: &str| Node::scalar(span.clone(), s, false);
            let mut entries = vec![entry("Name", text(&p.name))];
            if let Some(t) = &p.ptype {
                entries.push(entry("Type", text(t)));
            }
            if let Some(d) = &p.default {
                entries.push(entry("Default", d.clone()));
            }
            if !p.allowed.is_empty() {
                let items = p.allowed.iter().map(|a| text(a)).collect();
                entries.push(entry(
                    "AllowedValues",
                    Node {
                        span: span.clone(),
                        kind: Kind::Seq(items),
                    },
                ));
            }
            let node: &'g Node = ctx.arena.alloc(Node::map(span.clone(), entries));
            Val::new(V::Node(node)).at(span)
        })
        .collect()
}
