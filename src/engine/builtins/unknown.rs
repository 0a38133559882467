//! The `unknown` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::Val;

pub const BUILTIN: Builtin = Builtin {
    name: "unknown",
    signature: "unknown(\"reason\")",
    args: &[ArgKind::Literal],
    min: 1,
    max: 1,
    aws: false,
    doc: "a value that cannot be known before deployment, with the reason `--trace` shows: the last alternative of a relation that cannot tell, `a else b else unknown(\"...\")`, so no rule takes silence for an answer",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let reason = arg(&args, 0)
        .first()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string());
    vec![Val::unknown(&reason)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::value::V;
    use crate::load::{Outcome, load};

    #[test]
    fn is_unknown_with_its_reason() {
        let Outcome::Loaded { graph, .. } = load("t.yaml", b"Resources: {}\n".to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let out = eval(&ctx, vec![vec![Val::str("main route table")]]);
        assert!(
            matches!(&out[..], [v] if matches!(&v.v, V::Unknown(r) if &**r == "main route table"))
        );
    }
}
