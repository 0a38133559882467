//! The decoders the binding table names (`decode = "name"`, `content = "name"`): conversions
//! that are more than a rename. `DECODERS` is the registry of names.

use crate::load::json;
use crate::node::{Entry, Kind, Node};
use crate::source::Span;

use super::Input;

/// A conversion of one attribute, under the name the table knows it by.
pub struct Decoder {
    pub name: &'static str,
    /// One line on what it does, for docs/terraform.md.
    pub doc: &'static str,
    pub run: fn(&Input) -> Option<Node>,
}

const fn d(name: &'static str, run: fn(&Input) -> Option<Node>, doc: &'static str) -> Decoder {
    Decoder { name, doc, run }
}

/// Every decoder the table may name.
pub static DECODERS: &[Decoder] = &[
    d("text", text, "text kept as it is"),
    d(
        "json_document",
        json_document,
        "a JSON document in a string (an IAM policy) → its tree, keys as written",
    ),
    d(
        "container_definitions",
        container_definitions,
        "the JSON string of container definitions in the ECS API's camelCase → the tree with CloudFormation's PascalCase keys (log driver options and Docker labels as written)",
    ),
    d(
        "enabled_disabled",
        enabled_disabled,
        "a bool → `ENABLED`/`DISABLED`",
    ),
    d(
        "non_empty",
        non_empty,
        "the provider writes `\"\"` for unset strings inside blocks; CloudFormation leaves them out",
    ),
    d(
        "one_item_list",
        one_item_list,
        "a single name (`role`) → a one-item list (`Roles`)",
    ),
    d(
        "default_gateway",
        default_gateway,
        "unset → `Gateway`, the default of the provider as of CloudFormation",
    ),
    d(
        "secret_or_insecure_value",
        secret_or_insecure_value,
        "`insecure_value` (never redacted) when set, else `value`",
    ),
    d(
        "launch_template_user_data",
        launch_template_user_data,
        "base64 that decodes to text → `Fn::Base64` of the text, so names in it link as in a template; anything else (gzip) as it is",
    ),
    d(
        "launch_configuration_user_data",
        launch_configuration_user_data,
        "a plan holds only a hash: the configuration's constant text as `Fn::Base64`, else `user_data_base64`, else unknown",
    ),
    d(
        "sg_ingress",
        sg_ingress,
        "inline ingress rules → one CloudFormation rule per peer (`cidr_blocks`, `security_groups`, `prefix_list_ids`, `self`)",
    ),
    d(
        "sg_egress",
        sg_egress,
        "inline egress rules → one CloudFormation rule per peer, as `sg_ingress`",
    ),
    d(
        "health_check_port",
        health_check_port,
        "the `port` of the `health_check` block (`traffic-port` when not set)",
    ),
    d(
        "inbound",
        inbound,
        "`false`: the entry is of an `ingress` block",
    ),
    d(
        "outbound",
        outbound,
        "`true`: the entry is of an `egress` block",
    ),
];

/// The decoder of a name.
pub fn named(name: &str) -> Option<&'static Decoder> {
    DECODERS.iter().find(|d| d.name == name)
}

/// The text of a string scalar (a JSON string, not a number or bool).
fn string(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar(s) if !s.plain => Some(&s.text),
        _ => None,
    }
}

/// Text kept as it is.
fn text(input: &Input) -> Option<Node> {
    input.value.filter(|v| !v.is_null()).cloned()
}

/// A JSON document held in a string (IAM policies) → its tree, keys as written.
fn json_document(input: &Input) -> Option<Node> {
    parse_json_string(input, |n| n)
}

/// `container_definitions`: a JSON string in the ECS API's camelCase → the tree with
/// CloudFormation's PascalCase keys.
fn container_definitions(input: &Input) -> Option<Node> {
    parse_json_string(input, |n| pascal_keys(n, false))
}

/// Parses a JSON string value. Every node gets the span of the string itself: a label cannot
/// point inside an escaped string, the string is the closest place in the plan.
fn parse_json_string(input: &Input, shape: fn(Node) -> Node) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let Some(s) = string(value) else {
        // Already a tree (a framework that stores JSON as an object), or unknown.
        return Some(match value.kind {
            Kind::Seq(_) | Kind::Map(_) if value.intrinsic().is_none() => shape(value.clone()),
            _ => value.clone(),
        });
    };
    if s.trim().is_empty() {
        return None;
    }
    match json::parse(s) {
        Ok(parsed) => {
            let mut node = shape(parsed.root);
            respan(&mut node, &value.span);
            Some(node)
        }
        Err(e) => Some(Node::unknown(
            value.span.clone(),
            format!("`{}` is not valid JSON: {}", input.tf, e.message),
        )),
    }
}

fn respan(node: &mut Node, span: &Span) {
    node.span = span.clone();
    match &mut node.kind {
        Kind::Map(entries) => {
            for e in entries {
                e.key_span = span.clone();
                respan(&mut e.value, span);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(|i| respan(i, span)),
        _ => {}
    }
}

/// Maps whose keys are data, not property names: log driver options and Docker labels.
const VERBATIM_KEYS: &[&str] = &["options", "dockerLabels"];

/// camelCase keys → PascalCase, except the keys of the maps under `VERBATIM_KEYS`.
fn pascal_keys(mut node: Node, verbatim: bool) -> Node {
    match &mut node.kind {
        Kind::Map(entries) => {
            for e in entries.iter_mut() {
                let value = std::mem::replace(&mut e.value, Node::unknown(0..0, ""));
                e.value = pascal_keys(value, VERBATIM_KEYS.contains(&e.key.as_str()));
                if !verbatim {
                    e.key = pascal_case(&e.key);
                }
            }
        }
        Kind::Seq(items) => {
            let taken = std::mem::take(items);
            *items = taken.into_iter().map(|i| pascal_keys(i, false)).collect();
        }
        _ => {}
    }
    node
}

fn pascal_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A Terraform bool → CloudFormation's `ENABLED`/`DISABLED`.
fn enabled_disabled(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let word = match &value.kind {
        Kind::Scalar(s) if s.plain && s.text == "true" => "ENABLED",
        Kind::Scalar(s) if s.plain && s.text == "false" => "DISABLED",
        _ => return Some(value.clone()),
    };
    Some(Node::scalar(value.span.clone(), word, false))
}

/// The provider writes "" for unset strings inside blocks; CloudFormation leaves them out.
fn non_empty(input: &Input) -> Option<Node> {
    input
        .value
        .filter(|v| !v.is_null() && string(v) != Some(""))
        .cloned()
}

/// A single name (`role`) where CloudFormation takes a list (`Roles`).
fn one_item_list(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    Some(match value.kind {
        Kind::Seq(_) | Kind::Unknown(_) => value.clone(),
        _ => Node::seq(value.span.clone(), vec![value.clone()]),
    })
}

/// `vpc_endpoint_type` defaults to `Gateway` in the provider as in CloudFormation.
fn default_gateway(input: &Input) -> Option<Node> {
    match input.value.filter(|v| !v.is_null()) {
        Some(v) => Some(v.clone()),
        None => Some(Node::scalar(input.span.clone(), "Gateway", false)),
    }
}

/// SSM parameter value: `insecure_value` (never redacted) when set, else `value`.
fn secret_or_insecure_value(input: &Input) -> Option<Node> {
    ["insecure_value", "value"]
        .iter()
        .filter_map(|k| input.attrs.get(k))
        .find(|v| !v.is_null())
        .cloned()
}

/// Launch template `user_data` is base64 in both models. Text that decodes cleanly becomes
/// CloudFormation's `Fn::Base64` of that text, so that names written in it (`ECS_CLUSTER=app`)
/// link to the resources they name, as in a template; anything else (gzip) stays as it is.
fn launch_template_user_data(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let decoded = string(value).and_then(crate::graph::base64_text::decode_base64_text);
    let Some(decoded) = decoded else {
        return Some(value.clone());
    };
    let wrapped = Entry {
        key: "Fn::Base64".to_string(),
        key_span: value.span.clone(),
        value: Node::scalar(value.span.clone(), &decoded, false),
    };
    Some(Node::map(value.span.clone(), vec![wrapped]))
}

/// Launch configuration `user_data` is only a SHA-1 hash in a plan. The text survives as a
/// configuration constant (written as CloudFormation's `Fn::Base64` of the text, since the
/// property holds base64), or as `user_data_base64`.
fn launch_configuration_user_data(input: &Input) -> Option<Node> {
    let constant = input.expr().and_then(|e| e.get("constant_value"));
    if let Some(constant) = constant.filter(|c| string(c).is_some()) {
        let wrapped = Entry {
            key: "Fn::Base64".to_string(),
            key_span: constant.span.clone(),
            value: constant.clone(),
        };
        return Some(Node::map(constant.span.clone(), vec![wrapped]));
    }
    if let Some(b64) = input.attrs.get("user_data_base64").filter(|v| !v.is_null()) {
        return Some(b64.clone());
    }
    let value = input.value.filter(|v| !v.is_null())?;
    Some(Node::unknown(
        value.span.clone(),
        "user data is only a hash in the plan",
    ))
}

fn sg_ingress(input: &Input) -> Option<Node> {
    sg_rules(input, "SourceSecurityGroupId", "SourcePrefixListId")
}

fn sg_egress(input: &Input) -> Option<Node> {
    sg_rules(
        input,
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    )
}

/// Inline security group rules: Terraform lists several peers per rule, CloudFormation one,
/// so each peer becomes its own rule.
fn sg_rules(input: &Input, group_key: &str, prefix_list_key: &str) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let Kind::Seq(rules) = &value.kind else {
        return Some(value.clone());
    };
    let mut out = Vec::new();
    for rule in rules {
        if !rule.is_map() {
            out.push(rule.clone());
            continue;
        }
        let mut common = Vec::new();
        for (tf, cfn) in [
            ("protocol", "IpProtocol"),
            ("from_port", "FromPort"),
            ("to_port", "ToPort"),
        ] {
            if let Some(e) = rule.entry(tf) {
                common.push(Entry {
                    key: cfn.to_string(),
                    key_span: e.key_span.clone(),
                    value: e.value.clone(),
                });
            }
        }
        for (tf, cfn) in [
            ("cidr_blocks", "CidrIp"),
            ("ipv6_cidr_blocks", "CidrIpv6"),
            ("security_groups", group_key),
            ("prefix_list_ids", prefix_list_key),
        ] {
            let Some(peers) = rule.get(tf) else { continue };
            let peers = match &peers.kind {
                Kind::Seq(items) => items.iter().collect(),
                Kind::Unknown(_) => vec![peers],
                _ => Vec::new(),
            };
            for peer in peers {
                let mut entries = common.clone();
                entries.push(Entry {
                    key: cfn.to_string(),
                    key_span: peer.span.clone(),
                    value: peer.clone(),
                });
                out.push(Node::map(rule.span.clone(), entries));
            }
        }
        // `self = true`: the group itself is a peer. Kept as a property of its own (not a
        // CloudFormation one) so the rule is not lost.
        if let Some(own) = rule
            .get("self")
            .filter(|s| !s.is_null() && s.as_str() != Some("false"))
        {
            let mut entries = common.clone();
            entries.push(Entry {
                key: "Self".to_string(),
                key_span: own.span.clone(),
                value: own.clone(),
            });
            out.push(Node::map(rule.span.clone(), entries));
        }
    }
    Some(Node::seq(value.span.clone(), out))
}

/// The `port` of a target group's `health_check` block (the provider plans `traffic-port`
/// when it is not set, as CloudFormation defaults `HealthCheckPort`).
fn health_check_port(input: &Input) -> Option<Node> {
    let block = input.value.filter(|v| !v.is_null())?;
    let item = match &block.kind {
        Kind::Seq(items) => items.first()?,
        Kind::Map(_) => block,
        _ => return Some(block.clone()),
    };
    if item.intrinsic().is_some() || !item.is_map() {
        return Some(item.clone());
    }
    item.get("port").filter(|p| !p.is_null()).cloned()
}

/// `Egress: false` for an entry of an `ingress` block.
fn inbound(input: &Input) -> Option<Node> {
    Some(Node::scalar(input.span.clone(), "false", true))
}

/// `Egress: true` for an entry of an `egress` block.
fn outbound(input: &Input) -> Option<Node> {
    Some(Node::scalar(input.span.clone(), "true", true))
}
