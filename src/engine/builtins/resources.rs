//! The `resources` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "resources",
    signature: "resources(\"Type\")",
    args: &[ArgKind::TypeName],
    min: 1,
    max: 1,
    aws: false,
    doc: "every resource of that type in the file (one alternative each; absent when there is none)",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let ty = arg(&args, 0)
        .first()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let graph = ctx.graph;
    graph
        .of_type(&ty)
        .iter()
        .filter_map(|&r| {
            ctx.resource_val(r, graph.resources[r].id_span.clone(), &Default::default())
        })
        .collect()
}
