//! The `sum` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::less::number;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, flatten};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "sum",
    signature: "sum(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "the sum of the numbers `x` has (its values, and the items of lists), absent ones left out; absent when there is none; unknown when one is not a number before deployment or is chosen by a condition",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let values: Vals<'g> = arg(&args, 0)
        .into_iter()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    if values.is_empty() {
        return vec![Val::absent()];
    }
    // Alternatives chosen by Fn::If are not all there at once: their sum means nothing.
    if values.iter().any(|v| !v.facts.is_empty()) {
        return vec![Val::unknown("a sum over values chosen by conditions")];
    }
    let mut total = 0.0;
    for v in &values {
        match number(v) {
            Some(n) => total += n,
            None => return vec![Val::unknown("not a number before deployment")],
        }
    }
    vec![Val::new(V::Str(Cow::Owned(format_number(total)), true))]
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Outcome, load};

    fn sum_of(vals: Vec<Val<'static>>) -> Option<String> {
        let Outcome::Loaded { graph, .. } = load("t.yaml", b"Resources: {}\n".to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let out = eval(&ctx, vec![vals]);
        assert_eq!(out.len(), 1);
        match &out[0].v {
            V::Str(s, _) => Some(s.to_string()),
            V::Absent => Some("absent".into()),
            _ => None,
        }
    }

    #[test]
    fn adds_numbers_and_leaves_out_absent_ones() {
        let got = sum_of(vec![Val::str("512"), Val::absent(), Val::str("256")]);
        assert_eq!(got.as_deref(), Some("768"));
        assert_eq!(sum_of(vec![Val::absent()]).as_deref(), Some("absent"));
    }

    #[test]
    fn a_value_that_is_no_number_makes_it_unknown() {
        assert_eq!(sum_of(vec![Val::str("512"), Val::unknown("param")]), None);
        assert_eq!(sum_of(vec![Val::str("1 GB")]), None);
    }
}
