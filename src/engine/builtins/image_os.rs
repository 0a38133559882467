//! The `image_os` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, field};
use crate::engine::helpers::arch;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "image_os",
    signature: "image_os(i)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the operating system of an image source, `LINUX` for an Amazon Linux ECS-optimized or Bottlerocket ECS SSM parameter path (literal, parameter default, `{{resolve:ssm:...}}`, Terraform `aws_ssm_parameter` data source); unknown for anything else (a literal `ami-...`, Windows AMI parameters)",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| image_os(ctx, v))
        .collect()
}

fn image_os<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let found = match &v.v {
        V::Absent => return v,
        V::Str(s, _) => arch::image_os(s),
        V::Resource(r) if ctx.graph.resources[*r].rtype == "Data::SSM::Parameter" => {
            field(ctx, &v, "Name")
                .first()
                .and_then(|n| n.as_str().and_then(arch::image_os))
        }
        _ => None,
    };
    let os = match found {
        Some(os) => V::Str(Cow::Borrowed(os), false),
        None => V::Unknown("operating system of the image not known".into()),
    };
    Val { v: os, ..v }
}
