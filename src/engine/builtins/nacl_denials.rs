//! The `nacl_denials` built-in function; what it does is its `doc`.

use crate::engine::builtins::nacl_allows::{Decided, Query, subnet_outcome};
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::Val;

pub const BUILTIN: Builtin = Builtin {
    name: "nacl_denials",
    signature: "nacl_denials(subnet, direction, \"tcp\", ports, peer)",
    args: &[
        ArgKind::Value,
        ArgKind::Literal,
        ArgKind::Literal,
        ArgKind::Value,
        ArgKind::Value,
    ],
    min: 5,
    max: 5,
    aws: true,
    doc: "what denies the traffic `nacl_allows` asks about: the entries that deny part of it, in rule-number order, and the ACL itself when part of it matches no entry (its final deny-all rule); absent when nothing denies it or it cannot be known",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let Ok(query) = Query::from_args(ctx, &args) else {
        return vec![Val::absent()];
    };
    let mut out: Vals<'g> = Vec::new();
    for subnet in arg(&args, 0) {
        if let Decided::Outcome(acl, entries, outcome) = subnet_outcome(ctx, &subnet, &query) {
            out.extend(
                outcome
                    .denied_by
                    .iter()
                    .filter_map(|&i| entries.get(i).cloned()),
            );
            if outcome.implicit {
                out.push(acl);
            }
        }
    }
    if out.is_empty() {
        out.push(Val::absent());
    }
    out
}
