//! The `exported` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::value::{Ctx, V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "exported",
    signature: "exported(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "true when resource `x` is named in a value of the template's `Outputs` (exported or not: a parent stack reads a nested stack's outputs) or of a Terraform plan's root outputs; unknown for a plan without its configuration",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| exported(ctx, v))
        .collect()
}

/// Is a resource handed out through the template's `Outputs` (exported or not: a parent stack
/// reads a nested stack's outputs without an export), or a Terraform plan's root outputs
/// (other states read them)? Unknown for a plan without its configuration.
fn exported<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let V::Resource(r) = v.v else {
        return if v.is_unknown() {
            v
        } else {
            Val {
                v: V::Bool(false),
                ..v
            }
        };
    };
    if ctx.graph.provider == crate::graph::Provider::Terraform && ctx.graph.outputs.is_none() {
        return Val {
            v: V::Unknown("the plan has no configuration".into()),
            ..v
        };
    }
    fn mentions(v: &Val<'_>, r: usize) -> bool {
        match &v.v {
            V::Resource(x) => *x == r,
            V::Text(_, holes) | V::List(holes) => holes.iter().any(|h| mentions(h, r)),
            _ => false,
        }
    }
    let outputs = ctx
        .graph
        .outputs
        .as_ref()
        .map(|o| o.entries())
        .unwrap_or_default();
    let found = outputs
        .iter()
        .filter_map(|o| o.value.get("Value"))
        .any(|value| {
            ctx.resolve(value, None, &Default::default())
                .iter()
                .any(|x| mentions(x, r))
        });
    Val {
        v: V::Bool(found),
        ..v
    }
}
