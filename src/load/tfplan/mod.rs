//! Terraform plan JSON (`terraform show -json plan.out`) → `Graph` in the CloudFormation model.
//!
//! Resources come from `planned_values` (root and child modules, data sources too); values
//! that `after_unknown` marks become `Kind::Unknown`; references written in `configuration`
//! become `Ref`/`Fn::GetAtt` nodes (IDs are unknown before apply, so the configuration is
//! often the only place that says which resource an attribute points at); `bindings` then
//! renames types and attributes. Edges are added by `graph::link`, as for templates.
//!
//! `read` reads the plan's instances, module levels and outputs; `references` turns
//! configuration expressions into references; `children` splits inline blocks off and folds
//! attachments in. The types they share, and the steps after the resources are built (the
//! partial maps, the arguments read back), are here. The submodules see this module's imports
//! through `use super::*`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::bindings::{self, Binding, Conf, Field, RefMode, Shape};
use crate::graph::link::{Declared, link};
use crate::graph::resolve::getatt_parts;
use crate::graph::{Graph, Partial, Provider, Resource, names, node_key};
use crate::load::LoadError;
use crate::node::{Entry, Kind, Node};
use crate::source::{SourceFile, Span};

mod children;
mod read;
mod references;

use children::{fold, split_children};
use references::{split_address, strip_key};

const KNOWN_AFTER_APPLY: &str = "known after apply";

/// Reference lookups allowed for one attribute, following `var`s and module outputs
/// (configurations are acyclic and small; input files need not be).
const LOOKUP_BUDGET: usize = 256;

/// First words of references that do not name a resource.
const NOT_RESOURCES: &[&str] = &["var", "local", "each", "count", "path", "terraform", "self"];

pub fn build(source: Arc<SourceFile>, root: &Node) -> Result<Graph, LoadError> {
    check_format_version(root)?;
    let plan = Plan::read(root);
    let mut built = Vec::new();
    for p in &plan.resources {
        plan.build_resource(p, &mut built);
    }
    fold(&mut built);
    let bound: Vec<_> = built.iter().map(|b| b.bound).collect();
    let (resources, depends_on): (Vec<_>, Vec<_>) = built
        .into_iter()
        .map(|b| (b.resource, b.depends_on))
        .unzip();
    let mut graph = Graph::new(
        source,
        Provider::Terraform,
        resources,
        Vec::new(),
        HashMap::new(),
        HashMap::new(),
    );
    graph.outputs = plan.outputs();
    graph.arguments = arguments(&graph, &bound);
    let declared: Vec<Declared> = depends_on
        .iter()
        .map(|d| Declared {
            depends_on: d.as_ref(),
            condition: None,
        })
        .collect();
    link(&mut graph, &declared);
    mark_partial(&mut graph, &bound);
    Ok(graph)
}

/// Minor versions only add keys; another major version may change what keys mean.
fn check_format_version(root: &Node) -> Result<(), LoadError> {
    let Some(v) = root.get("format_version") else {
        return Ok(());
    };
    let major = v
        .as_str()
        .and_then(|t| t.split('.').next())
        .and_then(|m| m.parse::<u64>().ok());
    match major {
        Some(0 | 1) => Ok(()),
        _ => Err(LoadError::at(
            format!(
                "unsupported Terraform plan format_version {}: ecslint reads versions 0.x and 1.x",
                v.as_str().unwrap_or("(not a string)")
            ),
            v.span.clone(),
        )),
    }
}

/// One resource instance of the plan.
struct Planned<'a> {
    address: &'a str,
    address_span: Span,
    tf_type: &'a str,
    type_span: Span,
    name: &'a str,
    data: bool,
    /// Module instance prefix with its trailing dot (`module.app["x"].`), "" at the root.
    module: &'a str,
    values: Option<&'a Node>,
    unknown: Option<&'a Node>,
}

/// Binding fields, Terraform type, properties never set (see `Built::bound`).
type Bound = (&'static [Field], &'static str, &'static [&'static str]);

/// A resource being built, with what the later steps need to know about it.
struct Built {
    resource: Resource,
    tf_key: String,
    depends_on: Option<Node>,
    /// The binding fields its properties come from, the Terraform type they belong to, and
    /// the properties the type never has.
    bound: Option<Bound>,
}

/// One module level of the configuration, from the root down to a resource's module.
#[derive(Clone)]
struct Level<'a> {
    /// Module instance prefix of resource addresses at this level.
    prefix: String,
    /// The module's configuration (`root_module`, or `module_calls[name].module`).
    module: Option<&'a Node>,
    /// The `module_calls[name]` entry that created this level (none at the root).
    call: Option<&'a Node>,
}

/// A resource that a configuration expression refers to.
struct Referenced {
    /// Matching instances: one for `aws_x.y[0]`, all of `aws_x.y` under count/for_each.
    instances: Vec<usize>,
    /// The attribute read (`arn`), none for the ID or the whole object.
    attr: Option<String>,
    /// The reference text in the configuration.
    span: Span,
}

struct Plan<'a> {
    resources: Vec<Planned<'a>>,
    by_address: BTreeMap<&'a str, usize>,
    /// `configuration.root_module`.
    config: Option<&'a Node>,
}

struct Scope<'a, 'k> {
    levels: Vec<Level<'a>>,
    tf_key: &'k str,
    /// The resource's own instance key, as written in its address (`0`, `"a"`).
    key: Option<&'a str>,
}

/// The binding maps only some properties of a type: the others may be set in AWS all the
/// same, so the maps it built read them as unknown, not absent.
fn mark_partial(graph: &mut Graph, bound: &[Option<Bound>]) {
    let mut marks = Vec::new();
    for (r, b) in graph.resources.iter().zip(bound) {
        let (Some((fields, source, absent)), Some(props)) = (b, &r.properties) else {
            continue;
        };
        let mut maps = Vec::new();
        bindings::partial_maps(fields, &r.rtype, props, &mut maps);
        marks.extend(maps.into_iter().map(|m| {
            let mut keys = m.keys;
            if std::ptr::eq(m.node, props) {
                keys.extend_from_slice(absent);
            }
            let partial = Partial {
                keys,
                properties: m.properties,
                source,
            };
            (node_key(m.node), partial)
        }));
    }
    for (key, partial) in marks {
        graph.set_partial(key, partial);
    }
}

/// The arguments set by a reference that other resources can read back (see
/// `Graph::arguments`): plain top-level attributes whose property is a `Ref`/`Fn::GetAtt`.
fn arguments(
    graph: &Graph,
    bound: &[Option<Bound>],
) -> foldhash::HashMap<(usize, String), &'static str> {
    let mut out = foldhash::HashMap::default();
    for (i, b) in bound.iter().enumerate() {
        let (Some((fields, _, _)), Some(props)) = (b, &graph.resources[i].properties) else {
            continue;
        };
        for f in fields.iter() {
            let plain = matches!(f.shape, Shape::Value | Shape::Computed(Shape::Value));
            let reference = props
                .get(f.cfn)
                .and_then(Node::intrinsic)
                .is_some_and(|(name, _)| matches!(name, "Ref" | "Fn::GetAtt"));
            if plain && !f.cfn.contains('.') && reference {
                out.insert((i, f.tf.to_string()), f.cfn);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tfplan::read::module_prefix;
    use crate::load::tfplan::references::{longest_references, split_address};

    #[test]
    fn addresses_split_outside_instance_keys() {
        assert_eq!(
            split_address(r#"module.a["x.y"].aws_s3_bucket.b[0].arn"#),
            vec!["module", r#"a["x.y"]"#, "aws_s3_bucket", "b[0]", "arn"]
        );
        assert_eq!(
            module_prefix(r#"module.a["k"].module.b.aws_x.y[0]"#, false),
            r#"module.a["k"].module.b."#
        );
        assert_eq!(module_prefix("data.aws_ami.x", true), "");
        assert_eq!(module_prefix("module.m.data.aws_ami.x", true), "module.m.");
        assert_eq!(module_prefix("x", false), "");
    }

    #[test]
    fn only_the_longest_of_nested_references_is_kept() {
        let root = crate::load::json::parse(
            r#"["aws_x.y[1].arn", "aws_x.y[1]", "aws_x.y", "aws_x.yy", "var.v"]"#,
        )
        .unwrap()
        .root;
        let refs: Vec<&Node> = root.items().iter().collect();
        let kept: Vec<&str> = longest_references(&refs)
            .into_iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(kept, vec!["aws_x.y[1].arn", "aws_x.yy", "var.v"]);
    }

    #[test]
    fn format_versions() {
        let version = |v: &str| {
            let text = format!(r#"{{"format_version": "{v}"}}"#);
            check_format_version(&crate::load::json::parse(&text).unwrap().root).is_ok()
        };
        assert!(version("0.1") && version("0.2") && version("1.0") && version("1.2"));
        assert!(!version("2.0") && !version("x"));
    }
}
