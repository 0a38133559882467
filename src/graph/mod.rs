//! The provider-neutral resource graph: resources, parameters, mappings, conditions and the
//! references between them. CloudFormation templates and Terraform plans both load into it;
//! rules see only this.

pub mod arn;
pub mod base64_text;
pub mod deps;
pub mod intrinsic;
pub mod json_text;
pub mod link;
pub mod names;
pub mod resolve;
pub mod value;

use std::collections::HashMap;

/// The graph's own indexes, looked up for every reference a rule follows: foldhash is several
/// times faster than the standard library's SipHash on short keys, and randomly seeded.
type FastMap<K, V> = foldhash::HashMap<K, V>;
use std::sync::Arc;

use crate::node::Node;
use crate::source::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    CloudFormation,
    Terraform,
}

#[derive(Debug)]
pub struct Resource {
    /// Logical ID, or the Terraform resource address.
    pub id: String,
    pub id_span: Span,
    /// CloudFormation type (Terraform types are mapped onto it where a binding exists).
    pub rtype: String,
    pub type_span: Span,
    pub properties: Option<Node>,
    pub metadata: Option<Node>,
    pub condition: Option<String>,
}

#[derive(Debug)]
pub struct Parameter {
    pub name: String,
    pub span: Span,
    pub ptype: Option<String>,
    pub default: Option<Node>,
    /// `AllowedValues`, when given as literals.
    pub allowed: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Resource(usize),
    Parameter(usize),
    Mapping(String),
    Condition(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum EdgeKind {
    Ref,
    GetAtt(String),
    Sub,
    DependsOn,
    FindInMap,
    Condition,
    /// A literal name or ARN that matches a resource of the same file.
    Name,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    /// Property path of the referring value, outside intrinsics: `Cluster`,
    /// `CapacityProviderStrategy[0].CapacityProvider`.
    pub path: String,
    pub span: Span,
    pub to: Target,
    pub kind: EdgeKind,
}

/// The identity of a node that stays in place: a resource's property nodes never move once
/// the graph holds them.
pub fn node_key(n: &Node) -> usize {
    std::ptr::from_ref(n) as usize
}

/// A property map built from a Terraform resource by its binding: the binding maps some of
/// the CloudFormation properties only, so a key it does not map may well be set in AWS and
/// must read as unknown; a key it maps and the plan leaves out is really absent.
#[derive(Debug)]
pub struct Partial {
    /// The keys the binding maps at this place.
    pub keys: Vec<&'static str>,
    /// The CloudFormation properties at this place, when known: any other key is absent.
    pub properties: Option<&'static [&'static str]>,
    /// The Terraform type (`aws_ecs_service`), for the reason of the unknown.
    pub source: &'static str,
}

#[derive(Debug)]
pub struct Graph {
    pub source: Arc<SourceFile>,
    pub provider: Provider,
    pub resources: Vec<Resource>,
    pub parameters: Vec<Parameter>,
    pub mappings: HashMap<String, Node>,
    pub conditions: HashMap<String, Node>,
    /// The template's `Outputs` section: what the stack hands to other stacks. For a Terraform
    /// plan, the root module's outputs in the same shape (`{name: {Value: Ref/GetAtt}}`, one
    /// entry per referenced resource), or none when the plan has no `configuration`. Not
    /// linked into `edges`, so outputs never count as referrers.
    pub outputs: Option<Node>,
    pub edges: Vec<Edge>,
    /// Terraform arguments that a reference reads back: (resource, attribute) → the
    /// property the attribute became. Reading an argument gives the value it was set to, so
    /// `aws_ecs_cluster_capacity_providers.x.cluster_name` stands for what `cluster_name`
    /// refers to (the cluster), not for the association. Empty for CloudFormation, whose
    /// `Fn::GetAtt` attributes are outputs of the resource.
    pub arguments: FastMap<(usize, String), &'static str>,
    /// Property maps that hold only some of their keys (see `Partial`), by the address of
    /// their node. Filled in once the resources are in place; the graph never moves them.
    partial: FastMap<usize, Partial>,
    by_id: FastMap<String, usize>,
    by_type: FastMap<String, Vec<usize>>,
    by_name: FastMap<String, Vec<usize>>,
    params_by_name: FastMap<String, usize>,
    out_edges: Vec<Vec<usize>>,
    in_edges: Vec<Vec<usize>>,
}

impl Graph {
    /// Builds the indexes. `edges` may be empty; `link` fills in reference edges.
    pub fn new(
        source: Arc<SourceFile>,
        provider: Provider,
        resources: Vec<Resource>,
        parameters: Vec<Parameter>,
        mappings: HashMap<String, Node>,
        conditions: HashMap<String, Node>,
    ) -> Graph {
        let mut g = Graph {
            source,
            provider,
            by_id: FastMap::default(),
            by_type: FastMap::default(),
            by_name: FastMap::default(),
            params_by_name: FastMap::default(),
            out_edges: vec![Vec::new(); resources.len()],
            in_edges: vec![Vec::new(); resources.len()],
            resources,
            parameters,
            mappings,
            conditions,
            outputs: None,
            edges: Vec::new(),
            arguments: FastMap::default(),
            partial: FastMap::default(),
        };
        for (i, r) in g.resources.iter().enumerate() {
            g.by_id.insert(r.id.clone(), i);
            g.by_type.entry(r.rtype.clone()).or_default().push(i);
            if let Some(name) = names::literal_name(r) {
                g.by_name.entry(name.to_string()).or_default().push(i);
            }
        }
        for (i, p) in g.parameters.iter().enumerate() {
            g.params_by_name.insert(p.name.clone(), i);
        }
        g
    }

    pub fn add_edge(&mut self, edge: Edge) {
        let n = self.edges.len();
        self.out_edges[edge.from].push(n);
        if let Target::Resource(to) = edge.to {
            self.in_edges[to].push(n);
        }
        self.edges.push(edge);
    }

    pub fn resource(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.params_by_name.get(name).map(|&i| &self.parameters[i])
    }

    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.params_by_name.get(name).copied()
    }

    pub fn of_type(&self, rtype: &str) -> &[usize] {
        self.by_type.get(rtype).map_or(&[], Vec::as_slice)
    }

    /// Resources whose literal name (`ClusterName`, `RoleName`, ...) is `name`.
    pub fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Resources a literal text names: as a whole value or ARN, or in a `KEY=value` setting
    /// for that kind of resource (see `names::names_in_text`). Each resource once.
    pub fn named_in_text(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for n in names::names_in_text(text) {
            for &r in self.named(n.name) {
                if n.can_name(&self.resources[r].rtype) && !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// Marks a map of one of this graph's resources, named by its `node_key`, as partial.
    /// A map that several bindings fields build (a block and dotted paths into it) gets the
    /// keys of all of them.
    pub fn set_partial(&mut self, key: usize, partial: Partial) {
        match self.partial.get_mut(&key) {
            Some(p) => p.keys.extend(partial.keys),
            None => {
                self.partial.insert(key, partial);
            }
        }
    }

    /// Why key `key`, missing from `map`, is unknown rather than absent: `map` is partial and
    /// does not hold that key. None for a key that is really absent.
    pub fn unmapped(&self, map: &Node, key: &str) -> Option<String> {
        let p = self.partial.get(&node_key(map))?;
        let unmapped = !p.keys.contains(&key) && p.properties.is_none_or(|all| all.contains(&key));
        unmapped.then(|| {
            format!(
                "the Terraform binding of `{}` does not map `{key}` here",
                p.source
            )
        })
    }

    /// The reference a Terraform argument of `resource` was set to, when attribute `attr`
    /// reads back such an argument (see `arguments`): its property node, a `Ref` or
    /// `Fn::GetAtt`.
    pub fn argument_reference(&self, resource: usize, attr: &str) -> Option<&Node> {
        // Asked at every `Fn::GetAtt` resolved; a template has no arguments to look up.
        if self.arguments.is_empty() {
            return None;
        }
        let property = self.arguments.get(&(resource, attr.to_string()))?;
        let node = self.resources[resource]
            .properties
            .as_ref()?
            .get(property)?;
        matches!(node.intrinsic(), Some(("Ref" | "Fn::GetAtt", _))).then_some(node)
    }

    pub fn edges_from(&self, resource: usize) -> impl Iterator<Item = &Edge> {
        self.out_edges[resource].iter().map(|&e| &self.edges[e])
    }

    pub fn edges_to(&self, resource: usize) -> impl Iterator<Item = &Edge> {
        self.in_edges[resource].iter().map(|&e| &self.edges[e])
    }
}
