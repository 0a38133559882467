//! The `refs` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "refs",
    signature: "refs(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "the resources a value is or mentions by reference: a resource itself, the resources inside text with deploy-time parts (`Fn::Sub`, `Fn::Join`) and inside lists; absent for anything else (a literal name is not followed: use `=>` for that)",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let mut out = Vec::new();
    for v in arg(&args, 0) {
        if v.is_unknown() {
            out.push(v);
        } else {
            mentioned(&v, &mut out);
        }
    }
    out
}

fn mentioned<'g>(v: &Val<'g>, out: &mut Vals<'g>) {
    match &v.v {
        V::Resource(_) => out.push(v.clone()),
        V::Text(_, parts) | V::List(parts) => {
            for p in parts.iter() {
                if let Some(p) = p.clone().assuming(&v.facts) {
                    mentioned(&p, out);
                }
            }
        }
        _ => {}
    }
}
