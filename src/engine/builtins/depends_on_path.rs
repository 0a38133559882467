//! The `depends_on_path` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "depends_on_path",
    signature: "depends_on_path(a, b)",
    args: &[ArgKind::Value, ArgKind::Value],
    min: 2,
    max: 2,
    aws: false,
    doc: "true when resource `a` waits for resource `b` on creation: a chain of `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn` from `a` to `b`, in properties or metadata (Terraform: `depends_on` and the references of the configuration); a literal name orders nothing. False for a value that is not a resource, unknown for an unknown one. Each resource's dependencies are worked out once per file",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let (from, to) = (arg(&args, 0), arg(&args, 1));
    let mut out = Vec::new();
    for a in &from {
        for b in &to {
            let Some(facts) = a.facts.merge(&b.facts) else {
                continue;
            };
            let v = match (&a.v, &b.v) {
                (V::Resource(x), V::Resource(y)) => {
                    Val::bool(ctx.dependencies.path(ctx.graph, *x, *y))
                }
                (V::Unknown(_), _) => a.clone(),
                (_, V::Unknown(_)) => b.clone(),
                _ => Val::bool(false),
            };
            out.push(Val { facts, ..v });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::builtins::call;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "Resources:
  Service:
    Type: AWS::ECS::Service
    DependsOn: Rule
    Properties:
      TaskDefinition: !Ref Task
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Sub '${Role}-x'
  Role:
    Type: AWS::IAM::Role
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !GetAtt Listener.ListenerArn
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      DefaultActions: [{TargetGroupArn: !Ref Group}]
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
  Named:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: web
  ByName:
    Type: AWS::ECS::Service
    Properties:
      Cluster: web
";

    fn path(from: &str, to: &str) -> Option<bool> {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let val = |id: &str| {
            let r = graph.resource(id).expect("resource");
            ctx.resource_val(r, graph.resources[r].id_span.clone(), &Default::default())
                .expect("value")
        };
        let got = call(
            &ctx,
            "depends_on_path",
            vec![vec![val(from)], vec![val(to)]],
        );
        got[0].truth()
    }

    #[test]
    fn chains_of_ref_getatt_sub_and_depends_on_are_paths() {
        assert_eq!(path("Service", "Task"), Some(true));
        assert_eq!(path("Service", "Role"), Some(true), "through Fn::Sub");
        assert_eq!(path("Service", "Rule"), Some(true), "DependsOn");
        assert_eq!(
            path("Service", "Group"),
            Some(true),
            "Rule → Listener → Group"
        );
    }

    #[test]
    fn paths_have_a_direction_and_names_order_nothing() {
        assert_eq!(path("Group", "Listener"), Some(false));
        assert_eq!(path("Task", "Service"), Some(false));
        assert_eq!(path("ByName", "Named"), Some(false));
        assert_eq!(path("Service", "Service"), Some(false));
    }
}
