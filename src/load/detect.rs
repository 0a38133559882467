//! Is a document a CloudFormation template, a Terraform plan, or neither?

use crate::load::LoadError;
use crate::node::{Kind as NodeKind, Node};

pub enum Kind {
    Template,
    Plan,
    /// It claims to be one of the two but its shape is wrong.
    Malformed(LoadError),
    Neither,
}

pub fn detect(root: &Node) -> Kind {
    if !root.is_map() {
        return Kind::Neither;
    }
    if let Some(v) = root.get("format_version") {
        let has_plan_part = ["planned_values", "resource_changes", "configuration"]
            .iter()
            .any(|k| root.get(k).is_some());
        return if has_plan_part {
            Kind::Plan
        } else {
            Kind::Malformed(LoadError::at(
                "`format_version` but no `planned_values`, `resource_changes` or `configuration`: not a Terraform plan (use `terraform show -json plan.out`)".to_string(),
                v.span.clone(),
            ))
        };
    }
    if let Some(entry) = root.entry("Resources") {
        if is_appspec(root, &entry.value) {
            return Kind::Neither;
        }
        return if entry.value.is_map() {
            Kind::Template
        } else {
            Kind::Malformed(LoadError::at(
                "`Resources` must be a mapping of logical IDs to resources".to_string(),
                entry.key_span.clone(),
            ))
        };
    }
    if let Some(entry) = root.entry("AWSTemplateFormatVersion") {
        return Kind::Malformed(LoadError::at(
            "a CloudFormation template needs a `Resources` section".to_string(),
            entry.key_span.clone(),
        ));
    }
    Kind::Neither
}

/// A CodeDeploy AppSpec file (`appspec.yaml` of ECS blue/green deployments): `version` and a
/// `Resources` *list* of targets (`- TargetService: {Type: AWS::ECS::Service, ...}`), never
/// `AWSTemplateFormatVersion`.
fn is_appspec(root: &Node, resources: &Node) -> bool {
    matches!(resources.kind, NodeKind::Seq(_))
        && root.get("version").is_some()
        && root.get("AWSTemplateFormatVersion").is_none()
}

/// For a file that failed to parse: does its text look like a template or plan, so the parse
/// error is worth reporting? Other unparsable files (a `tsconfig.json` with comments, a Helm
/// chart's Go-templated YAML) are skipped quietly: pre-commit hands ecslint every YAML and
/// JSON file.
pub fn might_be_infrastructure(text: &str) -> bool {
    if text.contains("AWSTemplateFormatVersion") {
        return true;
    }
    // Helm templates (`{{ .Values.x }}`, `{{- include ... }}`); CloudFormation's own `{{resolve:`
    // dynamic references do not look like these.
    let helm = ["{{ .", "{{- ", "{{ include", "{{ template", "{{- include"]
        .iter()
        .any(|k| text.contains(k));
    !helm
        && ["Resources", "format_version"]
            .iter()
            .any(|k| text.contains(k))
}
