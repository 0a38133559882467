//! The `closest` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::names;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::suggest;

pub const BUILTIN: Builtin = Builtin {
    name: "closest",
    signature: "closest(word, candidates)",
    args: &[ArgKind::Value, ArgKind::Value],
    min: 2,
    max: 2,
    aws: false,
    doc: "for \"did you mean\": the candidate closest to the string `word` (one edit away for a short word, two for a longer one, or a prefix either way, ignoring case); a candidate is a string or a resource, compared by its literal name (`payments-prod` finds the cluster named `payments-production`). Absent when none is close or `word` is not a string",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let candidates = arg(&args, 1);
    let named: Vec<(String, &Val<'g>)> = candidates
        .iter()
        .filter_map(|c| name_of(ctx, c).map(|n| (n.to_ascii_lowercase(), c)))
        .collect();
    let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
    arg(&args, 0)
        .into_iter()
        .map(|word| {
            let found = word.as_str().and_then(|w| {
                // An exact match is not a suggestion.
                let w = w.to_ascii_lowercase();
                let others: Vec<&str> = names.iter().copied().filter(|n| *n != w).collect();
                suggest::closest(&w, &others)
            });
            match found.and_then(|n| named.iter().find(|(name, _)| name == n)) {
                Some((_, candidate)) => Val {
                    facts: word.facts.clone(),
                    ..(*candidate).clone()
                },
                None => Val {
                    facts: word.facts.clone(),
                    ..Val::absent()
                },
            }
        })
        .collect()
}

/// A candidate's name: a string itself, a resource's literal name.
fn name_of<'a>(ctx: &'a Ctx<'_>, candidate: &'a Val<'_>) -> Option<&'a str> {
    match &candidate.v {
        V::Str(s, _) => Some(s.as_ref()),
        V::Resource(r) => names::literal_name(&ctx.graph.resources[*r]),
        _ => None,
    }
}
