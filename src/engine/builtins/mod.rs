//! The built-in functions of the rule language: one file each, declaring its name, arguments,
//! documentation and evaluator, collected in `ALL`. The rule checker (arity, argument kinds),
//! the evaluator, `ecslint explain NAME` and the function reference in docs/rules.md all read
//! this list. The AWS knowledge the AWS-specific ones need lives in `helpers/`.

pub mod all;
pub mod any;
pub mod capture;
pub mod closest;
pub mod count;
pub mod depends_on_path;
pub mod distinct;
pub mod ecs_cluster;
pub mod exists;
pub mod iam_allows;
pub mod image_arch;
pub mod image_os;
pub mod instance_arch;
pub mod instance_type;
pub mod join;
pub mod json;
pub mod known;
pub mod less;
pub mod list;
pub mod lower;
pub mod minus;
pub mod nacl_allows;
pub mod nacl_denials;
pub mod none;
pub mod outputs;
pub mod parameters;
pub mod refs;
pub mod resources;
pub mod sg_allows;
pub mod sum;
pub mod text;
pub mod trusts;
pub mod type_of;
pub mod unknown;
pub mod upper;
pub mod user_data;

use std::borrow::Cow;
use std::rc::Rc;

use crate::engine::helpers::arch;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub type Vals<'g> = Vec<Val<'g>>;

/// What a built-in expects of an argument; the checker holds literals to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// Any expression.
    Value,
    /// A string (an IAM action, a separator); usually a literal.
    Literal,
    /// A regular expression: a literal must compile.
    Regex,
    /// A resource type name such as `"AWS::EC2::Instance"`.
    TypeName,
}

pub struct Builtin {
    pub name: &'static str,
    /// How it is called, as the docs show it: `iam_allows(p, "action"[, "arn"])`.
    pub signature: &'static str,
    /// The kind of each argument; a variadic built-in repeats the last one.
    pub args: &'static [ArgKind],
    pub min: usize,
    pub max: usize,
    /// Knows something about AWS (rather than being part of the language).
    pub aws: bool,
    pub doc: &'static str,
    pub eval: for<'g> fn(&Ctx<'g>, Vec<Vals<'g>>) -> Vals<'g>,
}

impl Builtin {
    /// The kind of argument `i`.
    pub fn arg_kind(&self, i: usize) -> ArgKind {
        self.args
            .get(i)
            .or(self.args.last())
            .copied()
            .unwrap_or(ArgKind::Value)
    }
}

/// Every built-in, general ones first.
pub const ALL: &[Builtin] = &[
    exists::BUILTIN,
    known::BUILTIN,
    unknown::BUILTIN,
    count::BUILTIN,
    list::BUILTIN,
    minus::BUILTIN,
    join::BUILTIN,
    lower::BUILTIN,
    upper::BUILTIN,
    json::BUILTIN,
    text::BUILTIN,
    capture::BUILTIN,
    closest::BUILTIN,
    any::BUILTIN,
    all::BUILTIN,
    none::BUILTIN,
    refs::BUILTIN,
    resources::BUILTIN,
    type_of::BUILTIN,
    outputs::BUILTIN,
    parameters::BUILTIN,
    depends_on_path::BUILTIN,
    iam_allows::BUILTIN,
    instance_arch::BUILTIN,
    image_arch::BUILTIN,
    image_os::BUILTIN,
    user_data::BUILTIN,
    ecs_cluster::BUILTIN,
    distinct::BUILTIN,
    nacl_allows::BUILTIN,
    nacl_denials::BUILTIN,
    sg_allows::BUILTIN,
    // Capacity and fit (ECS024)
    less::BUILTIN,
    sum::BUILTIN,
    instance_type::BUILTIN,
    trusts::BUILTIN,
];

pub fn find(name: &str) -> Option<&'static Builtin> {
    ALL.iter().find(|b| b.name == name)
}

pub fn call<'g>(ctx: &Ctx<'g>, name: &str, args: Vec<Vals<'g>>) -> Vals<'g> {
    match find(name) {
        Some(b) => (b.eval)(ctx, args),
        None => vec![Val::unknown("no such function")],
    }
}

/// Argument `i` (absent when it is not given).
pub(crate) fn arg<'g>(args: &[Vals<'g>], i: usize) -> Vals<'g> {
    args.get(i).cloned().unwrap_or_else(|| vec![Val::absent()])
}

pub(crate) fn flatten(v: Val<'_>) -> Vals<'_> {
    match &v.v {
        V::List(items) => items.iter().cloned().collect(),
        _ => vec![v],
    }
}

pub(crate) fn map_str<'g>(vals: Vals<'g>, f: impl Fn(&str) -> String) -> Vals<'g> {
    vals.into_iter()
        .map(|v| match &v.v {
            V::Str(s, p) => Val {
                v: V::Str(Cow::Owned(f(s)), *p),
                ..v.clone()
            },
            _ => v,
        })
        .collect()
}

/// A property of a resource value (or of a structured value), resolved.
pub fn field<'g>(ctx: &Ctx<'g>, v: &Val<'g>, key: &str) -> Vals<'g> {
    let node = match &v.v {
        V::Resource(r) => ctx.graph.resources[*r]
            .properties
            .as_ref()
            .and_then(|p| p.get(key)),
        V::Node(n) => n.get(key),
        V::Unknown(_) => return vec![v.clone()],
        _ => None,
    };
    match node {
        Some(n) => ctx.resolve(n, v.owner, &v.facts),
        None => vec![Val::absent()],
    }
}

/// The items of a list value (a `Node` sequence), each resolved.
pub(crate) fn items<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Vals<'g> {
    match &v.v {
        V::Node(n) if !n.items().is_empty() || matches!(n.kind, crate::node::Kind::Seq(_)) => n
            .items()
            .iter()
            .flat_map(|i| ctx.resolve(i, v.owner, &v.facts))
            .collect(),
        V::Absent => Vec::new(),
        _ => vec![v],
    }
}

/// Text and holes of a string-like value; empty for an absent one.
pub(crate) fn text_of<'g>(v: &Val<'g>) -> Option<(String, Rc<Vec<Val<'g>>>)> {
    match &v.v {
        V::Str(s, _) => Some((s.to_string(), Rc::new(Vec::new()))),
        V::Text(t, h) => Some((t.to_string(), h.clone())),
        V::Absent => Some((String::new(), Rc::new(Vec::new()))),
        _ => None,
    }
}

pub(crate) fn arch_val<'g>(from: Val<'g>, a: Option<arch::Arch>) -> Val<'g> {
    let v = match a {
        Some(a) => V::Str(Cow::Borrowed(a.as_str()), false),
        None if from.is_absent() => V::Absent,
        None => V::Unknown("architecture not known".into()),
    };
    Val { v, ..from }
}

#[cfg(test)]
mod resource_set_tests {
    use super::*;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "Resources:
  Shared:
    Type: AWS::ECS::Cluster
  Private:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: !Ref Name
  Other:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: !Sub '${AWS::StackName}-x'
Parameters:
  Name:
    Type: String
    Default: private
Outputs:
  ClusterArn:
    Value: !Join [':', [!GetAtt Shared.Arn, x]]
";

    fn with_graph(test: impl FnOnce(&Ctx<'_>)) {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        test(&Ctx::new(&graph, &arena));
    }

    #[test]
    fn resources_lists_every_resource_of_a_type() {
        with_graph(|ctx| {
            let all = call(ctx, "resources", vec![vec![Val::str("AWS::ECS::Cluster")]]);
            let ids: Vec<String> = all.iter().map(|v| ctx.display(v)).collect();
            assert_eq!(ids, ["Shared", "Private", "Other"]);
            assert!(call(ctx, "resources", vec![vec![Val::str("AWS::EC2::Instance")]]).is_empty());
        });
    }

    #[test]
    fn a_name_from_a_parameter_default_compares_and_a_computed_one_is_unknown() {
        with_graph(|ctx| {
            let (p, o, s) = (
                ctx.graph.resource("Private").unwrap(),
                ctx.graph.resource("Other").unwrap(),
                ctx.graph.resource("Shared").unwrap(),
            );
            assert_eq!(ctx.resource_named(p, "private"), Some(true));
            assert_eq!(
                ctx.resource_named(p, "arn:aws:ecs:eu-west-1:1:cluster/other"),
                Some(false)
            );
            assert_eq!(ctx.resource_named(o, "anything"), None);
            assert_eq!(ctx.resource_named(s, "default"), Some(false));
        });
    }
}
