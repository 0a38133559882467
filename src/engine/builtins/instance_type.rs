//! The `instance_type` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::helpers::instance_types;
use crate::graph::json_text;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::Node;

pub const BUILTIN: Builtin = Builtin {
    name: "instance_type",
    signature: "instance_type(t)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the size of an EC2 instance type (`m5.large`) as an object: `VCpus`, `CpuUnits` (vCPUs × 1024, as ECS counts them), `MemoryMiB` (nominal: ECS registers less), `Gpus`, `Arch` (`X86_64`, `ARM64`), `Family`; from the table in src/engine/helpers/instance-types.tsv (its header names the source). Unknown for a type the table does not list; `Gpus` absent where the table gives none",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0).into_iter().map(|v| size(ctx, v)).collect()
}

fn size<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    if v.is_absent() {
        return v;
    }
    let Some(t) = v.as_str().and_then(instance_types::lookup) else {
        return Val {
            v: V::Unknown("instance type not in the table".into()),
            ..v
        };
    };
    let gpus = t.gpus.map_or_else(|| "null".to_string(), |g| g.to_string());
    let text = format!(
        r#"{{"Family": "{}", "VCpus": {}, "CpuUnits": {}, "MemoryMiB": {}, "Gpus": {}, "Arch": "{}"}}"#,
        t.family,
        t.vcpus,
        u64::from(t.vcpus) * 1024,
        t.memory_mib,
        gpus,
        t.arch
    );
    let span = v.span.clone().unwrap_or_default();
    match json_text::parse(&text, &span) {
        Some(node) => {
            let node: &'g Node = ctx.arena.alloc(node);
            Val {
                v: V::Node(node),
                ..v
            }
        }
        None => Val {
            v: V::Unknown("instance type not in the table".into()),
            ..v
        },
    }
}
