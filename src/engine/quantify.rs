//! Quantifiers over alternatives: `any`, `all` and `none`, over the values a variable is
//! bound to (`all(s in subnets, cond)`) or over the alternatives of one condition
//! (`all(cond)`). Like every condition they are three-valued: an unknown alternative makes
//! the answer unknown unless the others decide it.

use crate::dsl::ast::Quantifier;
use crate::graph::value::{Facts, Val};

/// Combines the truths of alternatives. Over no alternatives at all, `any` is false and
/// `all` and `none` are true. A false answer is given once per set of conditions it holds
/// under (`all` is false when `IsArm` is true, say).
pub fn quantify<'g>(q: Quantifier, truths: &[Val<'g>]) -> Vec<Val<'g>> {
    let with = |b: bool, facts: Facts| Val {
        facts,
        ..Val::bool(b)
    };
    let of = |want: bool| truths.iter().filter(move |v| v.truth() == Some(want));
    let unknown = truths.iter().any(|v| v.truth().is_none());
    // The outcomes `q` reaches from alternatives that decide it on their own.
    let deciding = |want: bool, answer: bool| -> Vec<Val<'g>> {
        let mut facts: Vec<Facts> = Vec::new();
        for v in of(want) {
            if !facts.contains(&v.facts) {
                facts.push(v.facts.clone());
            }
        }
        facts.into_iter().map(|f| with(answer, f)).collect()
    };
    let common = |want: bool| Facts::common(of(want).map(|v| &v.facts)).unwrap_or_default();
    match q {
        Quantifier::Any if of(true).next().is_some() => vec![with(true, common(true))],
        Quantifier::None if of(true).next().is_some() => deciding(true, false),
        Quantifier::All if of(false).next().is_some() => deciding(false, false),
        _ if unknown => vec![Val::unknown("unknown")],
        Quantifier::Any => vec![with(false, Facts::default())],
        Quantifier::None => vec![with(true, Facts::default())],
        Quantifier::All => vec![with(true, common(true))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truths(vals: &[Val<'_>], q: Quantifier) -> Vec<Option<bool>> {
        quantify(q, vals).iter().map(Val::truth).collect()
    }

    #[test]
    fn quantifiers_are_three_valued() {
        let (t, f, u) = (Val::bool(true), Val::bool(false), Val::unknown("x"));
        let (any, all, none) = (Quantifier::Any, Quantifier::All, Quantifier::None);
        assert_eq!(truths(&[t.clone(), u.clone()], any), [Some(true)]);
        assert_eq!(truths(&[f.clone(), u.clone()], any), [None]);
        assert_eq!(truths(&[f.clone(), f.clone()], any), [Some(false)]);
        assert_eq!(truths(&[t.clone(), u.clone()], all), [None]);
        assert_eq!(
            truths(&[t.clone(), f.clone(), u.clone()], all),
            [Some(false)]
        );
        assert_eq!(truths(&[t.clone(), t.clone()], all), [Some(true)]);
        assert_eq!(truths(&[f.clone(), u.clone()], none), [None]);
        assert_eq!(truths(&[f.clone(), t.clone()], none), [Some(false)]);
        assert_eq!(truths(&[], all), [Some(true)]);
        assert_eq!(truths(&[], any), [Some(false)]);
    }

    #[test]
    fn a_false_answer_keeps_the_conditions_it_holds_under() {
        let arm = Facts::one("IsArm", "true");
        let x86 = Facts::one("IsArm", "false");
        let vals = [
            Val {
                facts: arm.clone(),
                ..Val::bool(false)
            },
            Val {
                facts: x86,
                ..Val::bool(true)
            },
        ];
        let all = quantify(Quantifier::All, &vals);
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].truth(), &all[0].facts), (Some(false), &arm));
    }
}
