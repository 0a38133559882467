//! Which property holds a resource's physical name, so a literal name or ARN written elsewhere
//! in the same file can be followed to the resource it names.

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
