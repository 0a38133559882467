//! The `distinct` built-in function; what it does is its `doc`.

use std::rc::Rc;

use crate::engine::builtins::flatten;
use crate::engine::builtins::{ArgKind, Builtin, Vals};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "distinct",
    signature: "distinct(a, b, ...)",
    args: &[ArgKind::Value],
    min: 0,
    max: usize::MAX,
    aws: false,
    doc: "one list of all the values, as `list` makes it, each resource or string once (the first of equal ones under the same conditions): `distinct(subnet <= AWS::ECS::Service.NetworkConfiguration.AwsvpcConfiguration.Subnets[*])` names a service once however many of its subnets match",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let mut items: Vals<'g> = Vec::new();
    for v in args
        .into_iter()
        .flatten()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
    {
        if !items.iter().any(|seen| same(ctx, seen, &v)) {
            items.push(v);
        }
    }
    vec![Val::new(V::List(Rc::new(items)))]
}

/// The same resource or string under the same conditions. Unknown values and structured ones
/// are never merged: two unknowns may stand for different things.
fn same<'g>(ctx: &Ctx<'g>, a: &Val<'g>, b: &Val<'g>) -> bool {
    if a.facts != b.facts {
        return false;
    }
    match (&a.v, &b.v) {
        (V::Resource(x), V::Resource(y)) => x == y,
        (V::Str(x, _), V::Str(y, _)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Node(_), V::Node(_)) => {
            a.as_str().is_some() && a.as_str() == b.as_str() && ctx.display(a) == ctx.display(b)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::builtins::call;
    use crate::graph::resolve::Ctx;
    use crate::graph::value::{V, Val};
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "Resources:
  A:
    Type: AWS::EC2::Subnet
  B:
    Type: AWS::EC2::Subnet
";

    #[test]
    fn repeated_resources_and_strings_appear_once_and_unknowns_stay() {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let subnets = call(&ctx, "resources", vec![vec![Val::str("AWS::EC2::Subnet")]]);
        let mut vals = subnets.clone();
        vals.extend(subnets);
        vals.extend([
            Val::str("x"),
            Val::str("x"),
            Val::unknown("p"),
            Val::unknown("p"),
        ]);
        let out = call(&ctx, "distinct", vec![vals]);
        let V::List(items) = &out[0].v else {
            panic!("a list")
        };
        let shown: Vec<String> = items.iter().map(|v| ctx.display(v)).collect();
        assert_eq!(shown.len(), 5, "{shown:?}");
        assert_eq!(shown[..3], ["A", "B", "x"]);
    }
}
