//! The `vpc_of` built-in function; what it does is its `doc`.

use crate::engine::builtins::field;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::refs::follow;
use crate::engine::value::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "vpc_of",
    signature: "vpc_of(subnet)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the subnet's VPC",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .flat_map(|v| {
            field(ctx, &v, "VpcId")
                .into_iter()
                .flat_map(|x| follow(ctx, x, Some("AWS::EC2::VPC")))
                .collect::<Vec<_>>()
        })
        .collect()
}
