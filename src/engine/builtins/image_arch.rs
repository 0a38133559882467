//! The `image_arch` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::builtins::{arch_val, field};
use crate::engine::helpers::arch;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "image_arch",
    signature: "image_arch(i)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the architecture of an image source: ECS/Bottlerocket SSM parameter paths (literal, parameter default, `{{resolve:ssm:...}}`), mapping keys that name an architecture, Terraform `aws_ssm_parameter`/`aws_ami` data sources; a literal `ami-...` is unknown",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| image_arch(ctx, v))
        .collect()
}

/// The architecture of an image source: an SSM parameter path (directly, as a parameter
/// default or a dynamic reference), a mapping key naming an architecture, or a Terraform
/// data source.
fn image_arch<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let from_keys = v
        .keys
        .as_ref()
        .and_then(|k| k.iter().find_map(|k| arch::arch_word(k)));
    let found = match &v.v {
        V::Str(s, _) => arch::image_arch(s).or(from_keys),
        V::Resource(r) => match ctx.graph.resources[*r].rtype.as_str() {
            "Data::SSM::Parameter" => field(ctx, &v, "Name")
                .first()
                .and_then(|n| n.as_str().and_then(arch::image_arch)),
            "Data::EC2::Image" => ["Architecture", "NameRegex", "Name"]
                .iter()
                .flat_map(|k| field(ctx, &v, k))
                .find_map(|n| {
                    n.as_str()
                        .and_then(|s| arch::arch_word(s).or_else(|| arch::image_name_arch(s)))
                }),
            _ => None,
        },
        _ => from_keys,
    };
    arch_val(v, found)
}
