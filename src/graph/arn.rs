//! The ARNs of resources of the file, built from their names, for IAM policy matching: both the
//! ARN a request is about (the role being passed, the task definition being run) and the
//! `Resource` of a policy written as `!GetAtt Role.Arn` or `!Sub ...role/${Role}` come from here,
//! so the two sides compare alike.
//!
//! Parts known only at deploy time are written `${...}` (`${AWS::AccountId}`, a name given as a
//! parameter). A name the deployment generates (a role without `RoleName`) is a per-resource
//! token instead (see `generated_name`): it is unknown, but it is not another resource's name.

use crate::graph::intrinsic::{SubPart, sub_parts};
use crate::graph::resolve::{Ctx, getatt_parts};
use crate::graph::value::{Facts, V};
use crate::node::{Kind, Node};

/// Brackets a generated name: `\u{E003}` logical id `\u{E004}`.
pub const GENERATED_OPEN: char = '\u{E003}';
pub const GENERATED_CLOSE: char = '\u{E004}';

/// Stands for the name generated for resource `id`. Two resources never get the same generated
/// name, and a generated name is never one written in the file, so a token equals only itself;
/// against a wildcard it is an unknown name (IAM matching treats it so).
pub fn generated_name(id: &str) -> String {
    format!("{GENERATED_OPEN}{id}{GENERATED_CLOSE}")
}

/// A name property's alternatives as text: a literal stays, no property at all is the generated
/// name, anything else (a parameter without default, a computed `!Sub`) is `${...}`.
fn names(ctx: &Ctx<'_>, r: usize, key: &str, unset: &str) -> Vec<String> {
    let res = &ctx.graph.resources[r];
    let Some(node) = res.properties.as_ref().and_then(|p| p.get(key)) else {
        return vec![unset.to_string()];
    };
    let mut out: Vec<String> = Vec::new();
    for v in ctx.resolve(node, Some(r), &Facts::default()) {
        let name = match &v.v {
            V::Str(s, _) => s.to_string(),
            V::Absent => unset.to_string(),
            _ => "${...}".to_string(),
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn head(service: &str, regional: bool) -> String {
    let region = if regional { "${AWS::Region}" } else { "" };
    format!("arn:${{AWS::Partition}}:{service}:{region}:${{AWS::AccountId}}:")
}

/// The ARNs resource `r` may have (one per alternative of its name): a role (`RoleName`,
/// `Path`), a task definition (`Family`; some revision, and the family without one, which a
/// policy may name too), an EventBridge rule (`Name`). None for other types.
pub fn resource_arns(ctx: &Ctx<'_>, r: usize) -> Vec<String> {
    let res = &ctx.graph.resources[r];
    let generated = generated_name(&res.id);
    let mut out = Vec::new();
    match res.rtype.as_str() {
        "AWS::IAM::Role" => {
            // No Path: the role sits at `/`.
            for path in names(ctx, r, "Path", "/") {
                for name in names(ctx, r, "RoleName", &generated) {
                    out.push(format!("{}role{path}{name}", head("iam", false)));
                }
            }
        }
        "AWS::ECS::TaskDefinition" => {
            for family in names(ctx, r, "Family", &generated) {
                let arn = format!("{}task-definition/{family}", head("ecs", true));
                out.push(format!("{arn}:${{revision}}"));
                out.push(arn);
            }
        }
        "AWS::Events::Rule" => {
            for name in names(ctx, r, "Name", &generated) {
                out.push(format!("{}rule/{name}", head("events", true)));
            }
        }
        _ => {}
    }
    out
}

/// What a reference to resource `r` is, as text built the same way as `resource_arns`: a
/// role's `Ref` (its name, `attr` none) or `Fn::GetAtt Role.Arn`, a task definition's `Ref`
/// (its ARN, with the revision as `${revision}`); none for other resources or attributes, or
/// when the name differs between alternatives.
pub fn reference_text(ctx: &Ctx<'_>, r: usize, attr: Option<&str>) -> Option<String> {
    let res = &ctx.graph.resources[r];
    let generated = generated_name(&res.id);
    let one = |mut v: Vec<String>| (v.len() == 1).then(|| v.remove(0));
    match (res.rtype.as_str(), attr) {
        ("AWS::IAM::Role", None) => one(names(ctx, r, "RoleName", &generated)),
        ("AWS::IAM::Role", Some(a)) if a.eq_ignore_ascii_case("arn") => one(resource_arns(ctx, r)),
        ("AWS::ECS::TaskDefinition", None) => {
            let family = one(names(ctx, r, "Family", &generated))?;
            Some(format!(
                "{}task-definition/{family}:${{revision}}",
                head("ecs", true)
            ))
        }
        _ => None,
    }
}

/// A policy's `Resource` value (or list of them) with the roles and task definitions of the
/// file it refers to written out as text: `!GetAtt Role.Arn`, `!Ref TaskDefinition`, and
/// `${Role}` / `${Role.Arn}` / `${TaskDefinition}` inside `Fn::Sub`, `!Ref` / `!GetAtt` inside
/// `Fn::Join`. `None` when nothing changes.
pub fn with_resource_arns(ctx: &Ctx<'_>, node: &Node) -> Option<Node> {
    let text = |s: String| Some(Node::scalar(node.span.clone(), s, false));
    let target = |name: &str, attr: Option<&str>| {
        ctx.graph
            .resource(name)
            .and_then(|r| reference_text(ctx, r, attr))
    };
    if let Kind::Seq(items) = &node.kind {
        let rewritten: Vec<Option<Node>> =
            items.iter().map(|i| with_resource_arns(ctx, i)).collect();
        if rewritten.iter().all(Option::is_none) {
            return None;
        }
        let items = items
            .iter()
            .zip(rewritten)
            .map(|(i, r)| r.unwrap_or_else(|| i.clone()))
            .collect();
        return Some(Node {
            span: node.span.clone(),
            kind: Kind::Seq(items),
        });
    }
    let (name, arg) = node.intrinsic()?;
    match name {
        // A role's `Ref` is its name, which no `Resource` is; a task definition's is its ARN.
        "Ref" => {
            let r = ctx.graph.resource(arg.as_str()?)?;
            if ctx.graph.resources[r].rtype != "AWS::ECS::TaskDefinition" {
                return None;
            }
            text(reference_text(ctx, r, None)?)
        }
        "Fn::GetAtt" => match getatt_parts(arg) {
            (Some(res), Some(attr)) => text(target(res, Some(attr))?),
            _ => None,
        },
        "Fn::Sub" => {
            let (template, vars) = match &arg.kind {
                Kind::Seq(items) => (items.first()?.as_str()?, items.get(1)),
                _ => (arg.as_str()?, None),
            };
            let mut out = template.to_string();
            let mut changed = false;
            // From the last variable back, so earlier offsets stay valid.
            for part in sub_parts(template).iter().rev() {
                let SubPart::Var(var, open) = part else {
                    continue;
                };
                if vars.and_then(|m| m.get(var)).is_some() {
                    continue;
                }
                let (res, attr) = match var.split_once('.') {
                    Some((res, attr)) => (res, Some(attr)),
                    None => (*var, None),
                };
                let (Some(with), Some(close)) = (target(res, attr), template[*open..].find('}'))
                else {
                    continue;
                };
                out.replace_range(*open..open + close + 1, &with);
                changed = true;
            }
            if !changed {
                return None;
            }
            let template = Node::scalar(node.span.clone(), out, false);
            let arg = match (&arg.kind, vars) {
                (Kind::Seq(_), Some(v)) => Node {
                    span: arg.span.clone(),
                    kind: Kind::Seq(vec![template, v.clone()]),
                },
                _ => template,
            };
            Some(intrinsic(node, "Fn::Sub", arg))
        }
        "Fn::Join" => {
            let [delim, list] = arg.items() else {
                return None;
            };
            let Kind::Seq(items) = &list.kind else {
                return None;
            };
            let mut changed = false;
            let items = items
                .iter()
                .map(|i| {
                    let with = match i.intrinsic() {
                        Some(("Ref", r)) => r.as_str().and_then(|r| target(r, None)),
                        Some(("Fn::GetAtt", a)) => match getatt_parts(a) {
                            (Some(res), Some(attr)) => target(res, Some(attr)),
                            _ => None,
                        },
                        _ => None,
                    };
                    changed |= with.is_some();
                    with.map_or_else(|| i.clone(), |w| Node::scalar(i.span.clone(), w, false))
                })
                .collect();
            if !changed {
                return None;
            }
            let list = Node {
                span: list.span.clone(),
                kind: Kind::Seq(items),
            };
            let arg = Node {
                span: arg.span.clone(),
                kind: Kind::Seq(vec![delim.clone(), list]),
            };
            Some(intrinsic(node, "Fn::Join", arg))
        }
        _ => None,
    }
}

fn intrinsic(node: &Node, name: &str, arg: Node) -> Node {
    let key_span = node
        .entries()
        .first()
        .map_or(node.span.clone(), |e| e.key_span.clone());
    Node::map(
        node.span.clone(),
        vec![crate::node::Entry {
            key: name.to_string(),
            key_span,
            value: arg,
        }],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "\
Resources:
  Generated:
    Type: AWS::IAM::Role
  Named:
    Type: AWS::IAM::Role
    Properties: {RoleName: reports, Path: /ecs/}
  Either:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !If [C, either, !Ref AWS::NoValue]
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties: {Family: report}
Conditions:
  C: !Equals [!Ref AWS::Region, eu-west-1]
";

    fn with_ctx(test: impl FnOnce(&Ctx<'_>)) {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        test(&Ctx::new(&graph, &arena));
    }

    const IAM: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role";

    #[test]
    fn arns_from_names_paths_and_generated_names() {
        with_ctx(|ctx| {
            let arns = |id: &str| resource_arns(ctx, ctx.graph.resource(id).unwrap());
            let generated = generated_name("Generated");
            assert_eq!(arns("Generated"), vec![format!("{IAM}/{generated}")]);
            assert_eq!(arns("Named"), vec![format!("{IAM}/ecs/reports")]);
            let either = generated_name("Either");
            assert_eq!(
                arns("Either"),
                vec![format!("{IAM}/either"), format!("{IAM}/{either}")]
            );
            let td =
                "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/report";
            assert_eq!(
                arns("Task"),
                vec![format!("{td}:${{revision}}"), td.to_string()]
            );
        });
    }

    #[test]
    fn policy_resources_name_roles_by_the_same_arns() {
        with_ctx(|ctx| {
            let yaml = |text: &str| {
                let source = crate::source::SourceFile::new("p.yaml", text.to_string());
                crate::load::yaml::parse(&source).expect("parses").root
            };
            let rewritten = |text: &str| with_resource_arns(ctx, &yaml(text));
            let scalar = |n: Option<Node>| n.and_then(|n| n.as_str().map(String::from));
            assert_eq!(
                scalar(rewritten("!GetAtt Named.Arn")),
                Some(format!("{IAM}/ecs/reports"))
            );
            // Attributes other than the ARN, other resources, a name that differs between
            // conditions: left to be resolved as before.
            assert!(rewritten("!GetAtt Named.RoleId").is_none());
            assert!(rewritten("!GetAtt Task.Arn").is_none());
            assert!(rewritten("!GetAtt Either.Arn").is_none());
            assert!(rewritten("!Ref Named").is_none());
            // A task definition's `Ref` is its ARN, some revision of its family.
            assert_eq!(
                scalar(rewritten("!Ref Task")),
                Some(
                    "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/report:${revision}"
                        .to_string()
                )
            );
            let sub =
                rewritten("!Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Generated}'")
                    .expect("rewritten");
            let template = sub
                .intrinsic()
                .and_then(|(_, a)| a.as_str())
                .map(String::from);
            let generated = generated_name("Generated");
            assert_eq!(
                template,
                Some(format!(
                    "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{generated}"
                ))
            );
            let list = rewritten("[!GetAtt Generated.Arn, '*']").expect("rewritten");
            assert_eq!(
                list.items()[0].as_str(),
                Some(format!("{IAM}/{generated}").as_str())
            );
            assert_eq!(list.items()[1].as_str(), Some("*"));
        });
    }
}
