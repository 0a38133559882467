//! The `outputs` built-in function; what it does is its `doc`.

use crate::engine::builtins::{Builtin, Vals};
use crate::graph::Provider;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "outputs",
    signature: "outputs()",
    args: &[],
    min: 0,
    max: 0,
    aws: false,
    doc: "every entry of the template's `Outputs` section as an object (`outputs().Value`, `outputs().Export.Name`), one alternative each; for a Terraform plan its root module outputs in the same shape (`Value` only). Absent when there is none; unknown for a plan without its configuration",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, _args: Vec<Vals<'g>>) -> Vals<'g> {
    let Some(outputs) = ctx.graph.outputs.as_ref() else {
        if ctx.graph.provider == Provider::Terraform {
            return vec![Val::unknown("the plan has no configuration")];
        }
        return Vec::new();
    };
    outputs
        .entries()
        .iter()
        .map(|e| Val::new(V::Node(&e.value)).at(e.value.span.clone()))
        .collect()
}
