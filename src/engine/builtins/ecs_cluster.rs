//! The `ecs_cluster` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::builtins::{text_of, user_data::user_data};
use crate::engine::helpers::userdata;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::Node;

pub const BUILTIN: Builtin = Builtin {
    name: "ecs_cluster",
    signature: "ecs_cluster(spec)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the cluster its instances join: `ECS_CLUSTER` in user data (shell, MIME multipart, Bottlerocket TOML) or, when the user data runs cfn-init, in the ecs.config `files` or `commands` of its `AWS::CloudFormation::Init` metadata; `default` when nothing sets it; unknown when cfn-init unpacks `sources` or both set it",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .flat_map(|v| ecs_cluster(ctx, v))
        .collect()
}

/// The cluster instances launched from a launch configuration or template join: what their
/// user data (or `AWS::CloudFormation::Init` metadata) sets as `ECS_CLUSTER`, `default`
/// when nothing does.
fn ecs_cluster<'g>(ctx: &Ctx<'g>, spec: Val<'g>) -> Vals<'g> {
    let mut out = Vec::new();
    for text in user_data(ctx, spec.clone()) {
        let Some((s, holes)) = text_of(&text) else {
            out.push(Val {
                v: V::Unknown("user data known at deploy time".into()),
                ..text
            });
            continue;
        };
        match userdata::ecs_cluster(&s) {
            userdata::ClusterSetting::Set(value) => out.push(cluster_value(&value, &holes, &text)),
            // Nothing runs cfn-init, so no `AWS::CloudFormation::Init` metadata is applied.
            userdata::ClusterSetting::NotSet => out.push(Val {
                v: V::Str(Cow::Borrowed("default"), false),
                ..text
            }),
            // Running cfn-init is the only unknown: its metadata decides, else what the rest sets.
            userdata::ClusterSetting::Unknown(why) => {
                match (without_cfn_init(&s), init_cluster(ctx, &spec, &text)) {
                    (Some(userdata::ClusterSetting::NotSet), Some(from_metadata)) => {
                        out.extend(from_metadata)
                    }
                    (Some(userdata::ClusterSetting::NotSet), None) => out.push(Val {
                        v: V::Str(Cow::Borrowed("default"), false),
                        ..text
                    }),
                    (Some(userdata::ClusterSetting::Set(value)), None) => {
                        out.push(cluster_value(&value, &holes, &text))
                    }
                    _ => out.push(Val {
                        v: V::Unknown(why.into()),
                        ..text
                    }),
                }
            }
        }
    }
    out
}

/// The cluster the user data sets once its cfn-init lines are left out; `None` when it has
/// none (cfn-init is not why the cluster is unknown) or the rest is unknown too.
fn without_cfn_init(text: &str) -> Option<userdata::ClusterSetting> {
    let decoded = userdata::decode_base64_text(text);
    let text = decoded.as_deref().unwrap_or(text);
    let rest: Vec<&str> = text
        .lines()
        .filter(|l| !l.to_ascii_lowercase().contains("cfn-init"))
        .collect();
    if rest.len() == text.lines().count() {
        return None;
    }
    Some(userdata::ecs_cluster(&rest.join("\n")))
        .filter(|c| !matches!(c, userdata::ClusterSetting::Unknown(_)))
}

/// The value of `ECS_CLUSTER=value`: a hole is the value that fills it (the cluster
/// resource, typically); literal text is the cluster name.
fn cluster_value<'g>(value: &str, holes: &[Val<'g>], at: &Val<'g>) -> Val<'g> {
    let v = match userdata::is_placeholder(value).and_then(|i| holes.get(i)) {
        Some(h) => {
            return Val {
                span: at.span.clone(),
                owner: at.owner,
                site: at.site,
                facts: h.facts.merge(&at.facts).unwrap_or_default(),
                ..h.clone()
            };
        }
        None if value.contains('\u{E000}') => {
            V::Unknown("cluster name built at deploy time".into())
        }
        None => V::Str(Cow::Owned(value.to_string()), false),
    };
    Val { v, ..at.clone() }
}

/// `ECS_CLUSTER` as the `AWS::CloudFormation::Init` metadata that cfn-init applies sets it: in
/// an ecs.config `files` entry or a `commands` entry (commands run after files; the last one
/// wins). `None` when the metadata sets nothing and unpacks no `sources` archive (which could
/// hold an ecs.config).
fn init_cluster<'g>(ctx: &Ctx<'g>, spec: &Val<'g>, at: &Val<'g>) -> Option<Vals<'g>> {
    let unknown = |why: &str| {
        Some(vec![Val {
            v: V::Unknown(why.into()),
            ..at.clone()
        }])
    };
    let (owner, init) = match spec.v {
        V::Resource(r) => match ctx.graph.resources[r]
            .metadata
            .as_ref()
            .and_then(|m| m.get("AWS::CloudFormation::Init"))
        {
            Some(init) => (r, init),
            None => return unknown("cfn-init runs without metadata in this resource"),
        },
        _ => return unknown("cfn-init runs"),
    };
    let (mut files, mut commands, mut sources) = (Vec::new(), Vec::new(), false);
    collect_init(init, &mut files, &mut commands, &mut sources);
    let mut found = None;
    for content in files.into_iter().chain(commands) {
        for v in ctx.resolve(content, Some(owner), &at.facts) {
            let Some((text, holes)) = text_of(&v) else {
                return unknown("cfn-init content known at deploy time");
            };
            match userdata::ecs_cluster(&text) {
                userdata::ClusterSetting::Set(value) => {
                    found = Some(cluster_value(&value, &holes, at))
                }
                userdata::ClusterSetting::Unknown(why) => return unknown(&why),
                userdata::ClusterSetting::NotSet => {}
            }
        }
    }
    match found {
        Some(v) => Some(vec![v]),
        None if sources => unknown("cfn-init unpacks sources that may hold ecs.config"),
        None => None,
    }
}

/// Under a cfn-init block: the `content` of every ecs.config `files` entry, every `command`
/// (a string or a list of words), and whether any `sources` entry is present.
fn collect_init<'g>(
    node: &'g Node,
    files: &mut Vec<&'g Node>,
    commands: &mut Vec<&'g Node>,
    sources: &mut bool,
) {
    for e in node.entries() {
        match e.key.as_str() {
            "files" => files.extend(
                e.value
                    .entries()
                    .iter()
                    .filter(|f| f.key.ends_with("ecs.config"))
                    .filter_map(|f| f.value.get("content")),
            ),
            "commands" => commands.extend(
                e.value
                    .entries()
                    .iter()
                    .filter_map(|c| c.value.get("command")),
            ),
            "sources" => *sources = *sources || !e.value.entries().is_empty(),
            _ => collect_init(&e.value, files, commands, sources),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = r##"Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  RunsInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: !Sub "ECS_CLUSTER=${Cluster}\n"
    Properties:
      UserData:
        Fn::Base64: !Sub "#!/bin/bash\n/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource RunsInit\n"
  NeverRunsInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=prod\n"
    Properties:
      UserData: !Base64 "#!/bin/bash\nyum update -y\n"
  InitCommand:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=first\n"
          commands:
            01_cluster:
              command: echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitCommand\n"
  InitSetsNothing:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {jq: []}}
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitSetsNothing\n"
  InitSources:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          sources: {/etc: "https://example.com/etc.tar.gz"}
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitSources\n"
  ScriptThenInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {jq: []}}
    Properties:
      UserData: !Base64 "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-init -v --resource ScriptThenInit\n"
  BothSet:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=other\n"
    Properties:
      UserData: !Base64 "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-init -v --resource BothSet\n"
"##;

    #[test]
    fn cfn_init_metadata_counts_only_when_the_user_data_runs_cfn_init() {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let joins = |id: &str| {
            let spec = Val::new(V::Resource(graph.resource(id).expect("resource")));
            ecs_cluster(&ctx, spec)
                .iter()
                .map(|v| ctx.display(v))
                .collect::<Vec<_>>()
        };
        assert_eq!(joins("RunsInit"), ["Cluster"]);
        assert_eq!(joins("NeverRunsInit"), ["default"]);
        assert_eq!(joins("InitCommand"), ["prod"]);
        assert_eq!(joins("InitSetsNothing"), ["default"]);
        assert_eq!(joins("InitSources"), ["(unknown)"]);
        assert_eq!(joins("ScriptThenInit"), ["prod"]);
        assert_eq!(joins("BothSet"), ["(unknown)"]);
    }
}
