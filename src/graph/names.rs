//! Which property holds a resource's physical name, so a literal name or ARN written elsewhere
//! in the same file can be followed to the resource it names, and which texts name one.

use crate::graph::Resource;

/// (resource type, name property). Terraform bindings map their `name` arguments onto these.
pub const NAME_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::ECS::Cluster", "ClusterName"),
    ("AWS::ECS::CapacityProvider", "Name"),
    ("AWS::ECS::Service", "ServiceName"),
    ("AWS::ECS::TaskDefinition", "Family"),
    ("AWS::AutoScaling::AutoScalingGroup", "AutoScalingGroupName"),
    (
        "AWS::AutoScaling::LaunchConfiguration",
        "LaunchConfigurationName",
    ),
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::SSM::Parameter", "Name"),
    ("AWS::SecretsManager::Secret", "Name"),
    ("AWS::KMS::Alias", "AliasName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::StepFunctions::StateMachine", "StateMachineName"),
];

pub fn name_property(rtype: &str) -> Option<&'static str> {
    NAME_PROPERTIES
        .iter()
        .find(|(t, _)| *t == rtype)
        .map(|(_, p)| *p)
}

/// The resource's name when it is written as a literal.
pub fn literal_name(r: &Resource) -> Option<&str> {
    let prop = name_property(&r.rtype)?;
    r.properties.as_ref()?.get(prop)?.as_str()
}

/// The name an ARN or name string points at: the last `/` or `:` segment of an ARN
/// (`arn:aws:iam::1:role/app` → `app`), the string itself otherwise.
pub fn name_in_reference(s: &str) -> &str {
    if !s.starts_with("arn:") {
        return s;
    }
    s.rsplit(['/', ':']).next().unwrap_or(s)
}

/// Settings that name a resource inside a longer text (user data, an ecs.config written by
/// cfn-init): `ECS_CLUSTER=workers`, Bottlerocket's `cluster = "workers"`,
/// `SetEnvironmentVariable("ECS_CLUSTER", "workers", ...)`.
pub const NAME_SETTINGS: &[(&str, &str)] = &[
    ("ECS_CLUSTER", "AWS::ECS::Cluster"),
    ("cluster", "AWS::ECS::Cluster"),
];

/// ARN resource kinds (`arn:aws:ecs:...:cluster/x`) and the resource type they name.
const ARN_KINDS: &[(&str, &str, &str)] = &[
    ("ecs", "cluster", "AWS::ECS::Cluster"),
    ("ecs", "capacity-provider", "AWS::ECS::CapacityProvider"),
    ("ecs", "service", "AWS::ECS::Service"),
    ("ecs", "task-definition", "AWS::ECS::TaskDefinition"),
    ("iam", "role", "AWS::IAM::Role"),
    ("iam", "instance-profile", "AWS::IAM::InstanceProfile"),
    ("iam", "policy", "AWS::IAM::ManagedPolicy"),
    ("ssm", "parameter", "AWS::SSM::Parameter"),
    ("secretsmanager", "secret", "AWS::SecretsManager::Secret"),
    ("kms", "alias", "AWS::KMS::Alias"),
    ("logs", "log-group", "AWS::Logs::LogGroup"),
    ("states", "stateMachine", "AWS::StepFunctions::StateMachine"),
];

/// A name a text gives, and the type of resource it can name (`None`: any type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameUse<'t> {
    pub name: &'t str,
    pub rtype: Option<&'static str>,
}

impl NameUse<'_> {
    pub fn can_name(&self, rtype: &str) -> bool {
        self.rtype.is_none_or(|t| t == rtype)
    }
}

/// The names a literal text gives to resources: the whole text (a name, or an ARN, restricted
/// to the kind of resource the ARN says when ecslint knows it), and the value of every
/// `KEY=value` setting of `NAME_SETTINGS`. Other words inside a text name nothing: the
/// parameter `/queue-workers/queue-url` does not name the cluster `queue-workers`.
pub fn names_in_text(text: &str) -> Vec<NameUse<'_>> {
    let whole = text.trim();
    let mut out = vec![NameUse {
        name: name_in_reference(whole),
        rtype: arn_kind(whole),
    }];
    for &(key, rtype) in NAME_SETTINGS {
        for value in setting_values(text, key) {
            let name = NameUse {
                name: name_in_reference(value),
                rtype: Some(rtype),
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out.retain(|n| !n.name.is_empty());
    out
}

/// The resource type an ARN names, when ecslint knows its kind.
fn arn_kind(s: &str) -> Option<&'static str> {
    let mut parts = s.strip_prefix("arn:")?.splitn(5, ':');
    let (_partition, service, _region, _account) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let kind = parts.next()?.split(['/', ':']).next()?;
    ARN_KINDS
        .iter()
        .find(|(svc, k, _)| *svc == service && *k == kind)
        .map(|(_, _, t)| *t)
}

/// Values assigned to `key` in a text: `key=value`, `key = "value"`, `"key", "value"`.
fn setting_values<'t>(text: &'t str, key: &str) -> Vec<&'t str> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for (at, _) in text.match_indices(key) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(word) {
            continue; // the tail of `MY_ECS_CLUSTER=`
        }
        let rest = &text[at + key.len()..];
        let quoted_key = before.is_some_and(|c| c == '"' || c == '\'');
        let rest = if quoted_key {
            rest.strip_prefix(['"', '\''])
        } else {
            Some(rest)
        };
        let Some(rest) = rest.map(|r| r.trim_start_matches([' ', '\t'])) else {
            continue;
        };
        let rest = match rest.strip_prefix('=') {
            Some(r) if !r.starts_with('=') => r,
            _ if quoted_key => match rest.strip_prefix(',') {
                Some(r) => r,
                None => continue,
            },
            _ => continue,
        };
        let rest = rest.trim_start_matches([' ', '\t']);
        let value = match rest.strip_prefix(['"', '\'']) {
            Some(inner) => inner.split(['"', '\'']).next().unwrap_or(inner),
            None => rest
                .split(|c: char| c.is_whitespace() || "\"';|&<>()`\\,]".contains(c))
                .next()
                .unwrap_or(rest),
        };
        if !value.is_empty() {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(&str, Option<&str>)> {
        names_in_text(text)
            .into_iter()
            .map(|n| (n.name, n.rtype))
            .collect()
    }

    #[test]
    fn whole_values_and_arns_name_resources() {
        assert_eq!(names("workers"), [("workers", None)]);
        assert_eq!(
            names("arn:aws:ecs:eu-west-1:1:cluster/workers"),
            [("workers", Some("AWS::ECS::Cluster"))]
        );
        assert_eq!(
            names("arn:aws:iam::1:role/path/app"),
            [("app", Some("AWS::IAM::Role"))]
        );
        assert_eq!(names("arn:aws:sqs:eu-west-1:1:jobs"), [("jobs", None)]);
    }

    #[test]
    fn words_inside_text_name_nothing_but_settings_do() {
        assert_eq!(
            names("/queue-workers/queue-url"),
            [("/queue-workers/queue-url", None)]
        );
        let user_data = "#!/bin/bash\necho ECS_CLUSTER=workers >> /etc/ecs/ecs.config\necho MY_ECS_CLUSTER=other\n";
        assert_eq!(
            names(user_data)[1..],
            [("workers", Some("AWS::ECS::Cluster"))]
        );
        assert_eq!(
            names("[settings.ecs]\ncluster = \"workers\"\n")[1..],
            [("workers", Some("AWS::ECS::Cluster"))]
        );
        assert_eq!(
            names(
                "[Environment]::SetEnvironmentVariable(\"ECS_CLUSTER\", \"workers\", \"Machine\")"
            )[1..],
            [("workers", Some("AWS::ECS::Cluster"))]
        );
        assert_eq!(names("if [ $cluster == x ]")[1..], []);
    }
}
