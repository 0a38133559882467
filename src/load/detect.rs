//! Is a document a CloudFormation template, a Terraform plan, or neither?

use crate::load::LoadError;
use crate::node::Node;

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

/// For a file that failed to parse: does its text look like a template or plan, so the parse
/// error is worth reporting? Other unparsable files (a Helm chart, a `tsconfig.json` with
/// comments) are skipped quietly: pre-commit hands ecslint every YAML and JSON file.
pub fn might_be_infrastructure(text: &str) -> bool {
    ["AWSTemplateFormatVersion", "Resources", "format_version"]
        .iter()
        .any(|k| text.contains(k))
}
