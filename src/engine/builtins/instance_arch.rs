//! The `instance_arch` built-in function; what it does is its `doc`.

use crate::engine::builtins::arch_val;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::helpers::arch;
use crate::graph::resolve::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "instance_arch",
    signature: "instance_arch(t)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "`X86_64` or `ARM64` for an instance type (all Graviton families); unknown for new families",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| arch_val(v.clone(), v.as_str().and_then(arch::instance_arch)))
        .collect()
}
