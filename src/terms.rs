//! Property names in finding texts, in the language of the file the finding is in.
//!
//! Rules are written against the CloudFormation model, so their texts name CloudFormation
//! properties. A rule marks each such name: `[[RuntimePlatform.CpuArchitecture]]`, or with a
//! value, `[[AssignPublicIp: ENABLED]]`; a type may qualify a path its last segments do not
//! name alone (`[[AWS::ECS::Service.LaunchType: EC2]]`). In a template the mark becomes
//! `RuntimePlatform.CpuArchitecture` (`AssignPublicIp: ENABLED`); in a Terraform plan the
//! binding table (`crate::bindings`) gives the attribute (`runtime_platform.cpu_architecture`,
//! `assign_public_ip = true`).

use std::sync::OnceLock;

use crate::bindings::{self, Conf, Decoder, Field, Input, Shape};
use crate::graph::Provider;
use crate::node::Node;

const OPEN: &str = "[[";
const CLOSE: &str = "]]";

/// `text` with every mark written for `provider`.
pub fn localize(text: &str, provider: Provider) -> String {
    if !text.contains(OPEN) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start + OPEN.len()..].find(CLOSE) else {
            break;
        };
        out.push_str(&rest[..start]);
        let mark = &rest[start + OPEN.len()..start + OPEN.len() + len];
        out.push_str(&render(mark, provider));
        rest = &rest[start + OPEN.len() + len + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

/// One mark's content (`Type.Path: value`, type and value optional), written out.
fn render(mark: &str, provider: Provider) -> String {
    let (rtype, path, value) = parse(mark);
    let cfn = |p: &str| match value {
        Some(v) => format!("{p}: {v}"),
        None => p.to_string(),
    };
    if provider == Provider::CloudFormation {
        return cfn(path);
    }
    match attribute(rtype, path) {
        Some(a) => match value {
            Some(v) => format!("{} = {}", a.tf, tf_value(v, a.decoder)),
            None => a.tf.clone(),
        },
        None => cfn(path),
    }
}

/// A mark's type, path and value.
fn parse(mark: &str) -> (Option<&str>, &str, Option<&str>) {
    // A type (`AWS::ECS::Service.X`) has colons of its own: then only `: ` starts the value.
    let split = if mark.contains("::") {
        mark.split_once(": ")
    } else {
        mark.split_once(':')
    };
    let (path, value) = match split {
        Some((p, v)) => (p.trim(), Some(v.trim())),
        None => (mark.trim(), None),
    };
    let (rtype, path) = split_type(path);
    (rtype, path, value)
}

/// `AWS::ECS::Service.LaunchType` → (`Some("AWS::ECS::Service")`, `LaunchType`).
fn split_type(path: &str) -> (Option<&str>, &str) {
    match path.rfind("::") {
        Some(i) => match path[i..].find('.') {
            Some(dot) => (Some(&path[..i + dot]), &path[i + dot + 1..]),
            None => (None, path),
        },
        None => (None, path),
    }
}

/// One attribute of the binding table, flattened: full CloudFormation path and Terraform path.
struct Attribute {
    rtype: &'static str,
    cfn: String,
    tf: String,
    decoder: Option<&'static Decoder>,
}

fn table() -> &'static [Attribute] {
    static TABLE: OnceLock<Vec<Attribute>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = Vec::new();
        for b in bindings::all() {
            flatten(b.cfn, b.fields, "", "", &mut out);
            for c in b.children {
                flatten(c.cfn, c.fields, "", "", &mut out);
            }
        }
        out
    })
}

fn flatten(
    rtype: &'static str,
    fields: &'static [Field],
    cfn: &str,
    tf: &str,
    out: &mut Vec<Attribute>,
) {
    for f in fields {
        let cfn = join(cfn, f.cfn);
        let tf = join(tf, f.tf);
        let mut shape = &f.shape;
        while let Shape::Computed(inner) = shape {
            shape = inner;
        }
        let decoder = match shape {
            Shape::Decode(d) => Some(*d),
            _ => None,
        };
        if let Shape::Block(inner) | Shape::Blocks(inner) = shape {
            flatten(rtype, inner, &cfn, &tf, out);
        }
        out.push(Attribute {
            rtype,
            cfn,
            tf,
            decoder,
        });
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The one Terraform attribute a marked path names: the full CloudFormation path, or else its
/// last segments, of the given type or of any. `None` when it names none or several. A full
/// path wins over last segments (`EnableExecuteCommand` is the service's, not that of an
/// EventBridge target's `EcsParameters`).
fn attribute(rtype: Option<&str>, path: &str) -> Option<&'static Attribute> {
    let suffix = format!(".{path}");
    let of_type = |a: &&Attribute| rtype.is_none_or(|t| t == a.rtype);
    one(table().iter().filter(of_type).filter(|a| a.cfn == path))
        .or_else(|| {
            one(table()
                .iter()
                .filter(of_type)
                .filter(|a| a.cfn.ends_with(&suffix)))
        })
        .flatten()
}

/// `Some(Some(a))` when the attributes all have one Terraform path, `Some(None)` when they have
/// several, `None` when there is none.
fn one(
    mut attributes: impl Iterator<Item = &'static Attribute>,
) -> Option<Option<&'static Attribute>> {
    let first = attributes.next()?;
    Some(attributes.all(|a| a.tf == first.tf).then_some(first))
}

/// A CloudFormation value as Terraform writes it: the value whose decoding gives it (`ENABLED`
/// is `true` for a bool the table spells out), bare numbers and bools, quoted strings.
fn tf_value(v: &str, decoder: Option<&'static Decoder>) -> String {
    if let Some(decode) = decoder {
        for candidate in ["true", "false"] {
            let value = Node::scalar(0..0, candidate, true);
            let attrs = Node::scalar(0..0, "", true);
            let input = Input {
                value: Some(&value),
                span: 0..0,
                attrs: &attrs,
                conf: Conf {
                    configured: true,
                    exprs: None,
                },
                tf: "",
            };
            if (decode.run)(&input).and_then(|n| n.as_str().map(str::to_string))
                == Some(v.to_string())
            {
                return candidate.to_string();
            }
        }
    }
    let bare = v == "true" || v == "false" || v.parse::<f64>().is_ok() || v.starts_with(['[', '{']);
    if bare {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TF: Provider = Provider::Terraform;
    const CFN: Provider = Provider::CloudFormation;

    #[test]
    fn marks_become_the_files_own_names() {
        let text = "Set [[RuntimePlatform.CpuArchitecture: ARM64]] or keep [[RuntimePlatform.CpuArchitecture]]";
        assert_eq!(
            localize(text, CFN),
            "Set RuntimePlatform.CpuArchitecture: ARM64 or keep RuntimePlatform.CpuArchitecture"
        );
        assert_eq!(
            localize(text, TF),
            "Set runtime_platform.cpu_architecture = \"ARM64\" or keep runtime_platform.cpu_architecture"
        );
    }

    #[test]
    fn values_the_table_converts_are_converted_back() {
        assert_eq!(
            localize("[[AWS::ECS::Service.AssignPublicIp: ENABLED]]", TF),
            "network_configuration.assign_public_ip = true"
        );
        assert_eq!(
            localize("[[AssignPublicIp: ENABLED]]", CFN),
            "AssignPublicIp: ENABLED"
        );
        assert_eq!(
            localize("[[AWS::ECS::Service.LaunchType: EC2]]", TF),
            "launch_type = \"EC2\""
        );
        assert_eq!(
            localize("[[AWS::ECS::Service.LaunchType: EC2]]", CFN),
            "LaunchType: EC2"
        );
    }

    #[test]
    fn unknown_or_ambiguous_paths_and_broken_marks_stay_readable() {
        assert_eq!(localize("[[NoSuchProperty]]", TF), "NoSuchProperty");
        assert_eq!(localize("a [[b", TF), "a [[b");
        assert_eq!(localize("no marks", TF), "no marks");
    }

    /// Every mark in the built-in rules names exactly one Terraform attribute.
    #[test]
    fn every_mark_of_the_built_in_rules_names_one_attribute() {
        let program = crate::dsl::Program::load(&[]).expect("rules load");
        let mut bad = Vec::new();
        for r in &program.rules {
            let file = r.source.file();
            let mut rest = file.text.as_str();
            while let Some(start) = rest.find(OPEN) {
                let after = &rest[start + OPEN.len()..];
                let Some(end) = after.find(CLOSE) else { break };
                let mark = &after[..end];
                let (rtype, path, _) = parse(mark);
                if attribute(rtype, path).is_none() {
                    bad.push(format!("{}: [[{mark}]]", r.code));
                }
                rest = &after[end..];
            }
        }
        assert!(bad.is_empty(), "{bad:?}");
    }
}
