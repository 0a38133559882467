//! The reference edges between resources: intrinsics, `DependsOn`, `Condition`, and literal
//! names or ARNs of other resources of the file. One walk for CloudFormation templates and
//! Terraform plans alike (a plan's references are `Ref`/`Fn::GetAtt` nodes by then).

use crate::graph::intrinsic::{SubPart, sub_parts};
use crate::graph::resolve::getatt_parts;
use crate::graph::{Edge, EdgeKind, Graph, Target};
use crate::node::{Kind, Node};

/// What a resource declares besides its properties and metadata that links it to others:
/// CloudFormation's `DependsOn` and `Condition`, a plan's `depends_on` (as a `DependsOn` list).
#[derive(Clone, Copy, Default)]
pub struct Declared<'a> {
    pub depends_on: Option<&'a Node>,
    pub condition: Option<&'a Node>,
}

/// Adds an edge for every reference a resource makes: intrinsics, `DependsOn`, its
/// `Condition`, and literal names or ARNs of other resources in the file.
///
/// Both loaders call it once their resources are in place: the properties and metadata come
/// from the graph, `declared[i]` gives what resource `i` declares besides them.
pub fn link(graph: &mut Graph, declared: &[Declared]) {
    let mut edges = Vec::new();
    for (from, resource) in graph.resources.iter().enumerate() {
        let mut walker = Walker {
            graph,
            from,
            edges: &mut edges,
            opaque: 0,
        };
        if let Some(props) = &resource.properties {
            walker.walk(props, String::new());
        }
        // cfn-init metadata configures instances too (ecs.config): one opaque path for it.
        if let Some(meta) = &resource.metadata {
            walker.walk_opaque(meta, "Metadata");
        }
        let declared = declared.get(from).copied().unwrap_or_default();
        if let Some(dep) = declared.depends_on {
            for n in std::iter::once(dep).chain(dep.items()) {
                if let Some(to) = n.as_str().and_then(|id| graph.resource(id)) {
                    edges.push(edge(
                        from,
                        "DependsOn",
                        n,
                        Target::Resource(to),
                        EdgeKind::DependsOn,
                    ));
                }
            }
        }
        if let Some(c) = declared.condition
            && let Some(name) = c.as_str()
        {
            edges.push(edge(
                from,
                "Condition",
                c,
                Target::Condition(name.to_string()),
                EdgeKind::Condition,
            ));
        }
    }
    for e in edges {
        graph.add_edge(e);
    }
}

fn edge(from: usize, path: &str, at: &Node, to: Target, kind: EdgeKind) -> Edge {
    Edge {
        from,
        path: path.to_string(),
        span: at.span.clone(),
        to,
        kind,
    }
}

struct Walker<'a> {
    graph: &'a Graph,
    from: usize,
    edges: &'a mut Vec<Edge>,
    /// Inside the arguments of `Fn::Join`, `Fn::Select`, ...: lists and maps there are
    /// not properties, so the path stays that of the property the function computes.
    opaque: usize,
}

impl Walker<'_> {
    fn target(&self, name: &str) -> Option<Target> {
        if let Some(r) = self.graph.resource(name) {
            return Some(Target::Resource(r));
        }
        self.graph.parameter_index(name).map(Target::Parameter)
    }

    fn push(&mut self, path: &str, at: &Node, to: Target, kind: EdgeKind) {
        self.edges.push(edge(self.from, path, at, to, kind));
    }

    /// Walks a value whose inner structure is not properties: all edges get `path`.
    fn walk_opaque(&mut self, node: &Node, path: &str) {
        self.opaque += 1;
        self.walk(node, path.to_string());
        self.opaque -= 1;
    }

    fn walk(&mut self, node: &Node, path: String) {
        if let Some((name, arg)) = node.intrinsic() {
            self.intrinsic(name, arg, node, &path);
            return;
        }
        match &node.kind {
            Kind::Map(entries) => {
                for e in entries {
                    let p = if self.opaque > 0 {
                        path.clone()
                    } else if path.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{path}.{}", e.key)
                    };
                    self.walk(&e.value, p);
                }
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = if self.opaque > 0 {
                        path.clone()
                    } else {
                        format!("{path}[{i}]")
                    };
                    self.walk(item, p);
                }
            }
            Kind::Scalar(s) if !s.is_null() => self.names_in(&s.text, node, &path),
            _ => {}
        }
    }

    /// A Terraform argument read back (`Graph::argument_reference`) also refers to what the
    /// argument was set to, through any number of such arguments: `cluster =
    /// aws_ecs_cluster_capacity_providers.x.cluster_name` refers to the cluster too, so
    /// walking back from the cluster finds the service.
    fn read_back(&mut self, resource: usize, attr: &str, node: &Node, path: &str) {
        let (mut r, mut attr) = (resource, attr.to_string());
        // Bounded: arguments may refer to each other in a cycle in a hand-made plan.
        for _ in 0..16 {
            let Some((name, arg)) = self
                .graph
                .argument_reference(r, &attr)
                .and_then(Node::intrinsic)
            else {
                return;
            };
            let (to, next) = match name {
                "Ref" => (arg.as_str(), None),
                _ => getatt_parts(arg),
            };
            let Some(to) = to.and_then(|n| self.graph.resource(n)) else {
                return;
            };
            let kind = match next {
                Some(a) => EdgeKind::GetAtt(a.to_string()),
                None => EdgeKind::Ref,
            };
            self.push(path, node, Target::Resource(to), kind);
            match next {
                Some(a) => (r, attr) = (to, a.to_string()),
                None => return,
            }
        }
    }

    /// Name edges for a literal that names a resource of the file (see `Graph::named_in_text`).
    fn names_in(&mut self, text: &str, node: &Node, path: &str) {
        for to in self.graph.named_in_text(text) {
            if to != self.from {
                self.push(path, node, Target::Resource(to), EdgeKind::Name);
            }
        }
    }

    fn intrinsic(&mut self, name: &str, arg: &Node, node: &Node, path: &str) {
        match name {
            "Ref" => {
                if let Some(t) = arg.as_str().and_then(|n| self.target(n)) {
                    self.push(path, node, t, EdgeKind::Ref);
                }
            }
            "Fn::GetAtt" => {
                let (res, attr) = getatt_parts(arg);
                if let Some(Target::Resource(r)) = res.and_then(|n| self.target(n)) {
                    let attr = attr.unwrap_or_default().to_string();
                    self.push(
                        path,
                        node,
                        Target::Resource(r),
                        EdgeKind::GetAtt(attr.clone()),
                    );
                    self.read_back(r, &attr, node, path);
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.kind {
                    Kind::Seq(items) => (items.first(), items.get(1)),
                    _ => (Some(arg), None),
                };
                if let Some(s) = template.and_then(Node::as_str) {
                    self.names_in(s, node, path);
                    for part in sub_parts(s) {
                        let SubPart::Var(v, _) = part else { continue };
                        if vars.and_then(|m| m.get(v)).is_some() {
                            continue;
                        }
                        let res = v.split('.').next().unwrap_or(v);
                        if let Some(t) = self.target(res) {
                            self.push(path, node, t, EdgeKind::Sub);
                        }
                    }
                }
                if let Some(vars) = vars {
                    for e in vars.entries() {
                        self.walk(&e.value, path.to_string());
                    }
                }
            }
            "Fn::FindInMap" => {
                self.first_names(arg, node, path, Target::Mapping, EdgeKind::FindInMap);
            }
            "Fn::If" => self.first_names(arg, node, path, Target::Condition, EdgeKind::Condition),
            _ => self.walk_opaque(arg, path),
        }
    }

    /// `[name, ...]` arguments whose first item names a mapping or condition: an edge to it,
    /// then the other items walked.
    fn first_names(
        &mut self,
        arg: &Node,
        node: &Node,
        path: &str,
        target: fn(String) -> Target,
        kind: EdgeKind,
    ) {
        if let Some(name) = arg.items().first().and_then(Node::as_str) {
            self.push(path, node, target(name.to_string()), kind);
        }
        for item in arg.items().iter().skip(1) {
            self.walk(item, path.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn graph(text: &str) -> Graph {
        let source = SourceFile::new("t.yaml", text.to_string());
        let root = crate::load::yaml::parse(&source).expect("parses").root;
        crate::load::cfn::build(source, &root).expect("builds")
    }

    fn edges_from<'g>(g: &'g Graph, id: &str) -> Vec<(&'g str, &'g str)> {
        let r = g.resource(id).expect("resource");
        g.edges_from(r)
            .filter_map(|e| match e.to {
                Target::Resource(t) => Some((e.path.as_str(), g.resources[t].id.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn references_inside_functions_keep_the_property_path() {
        let g = graph(
            "Resources:\n  C:\n    Type: AWS::ECS::Cluster\n  L:\n    Type: AWS::AutoScaling::LaunchConfiguration\n    Properties:\n      UserData: !Base64 {'Fn::Join': ['', ['echo ECS_CLUSTER=', !Ref C]]}\n      Tags: [{Key: a, Value: !Ref C}]\n",
        );
        assert_eq!(
            edges_from(&g, "L"),
            [("UserData", "C"), ("Tags[0].Value", "C")]
        );
    }

    #[test]
    fn literal_names_in_text_are_references() {
        let g = graph(
            "Resources:\n  C:\n    Type: AWS::ECS::Cluster\n    Properties: {ClusterName: workers}\n  L:\n    Type: AWS::AutoScaling::LaunchConfiguration\n    Properties:\n      UserData: !Base64 \"#!/bin/bash\\necho ECS_CLUSTER=workers >> /etc/ecs/ecs.config\\n\"\n      IamInstanceProfile: arn:aws:iam::1:instance-profile/workers\n      Tags: [{Key: a, Value: workers}, {Key: b, Value: /workers/queue-url}]\n",
        );
        // A setting and a whole value name the cluster; an instance profile's ARN and a word
        // inside a path do not.
        assert_eq!(
            edges_from(&g, "L"),
            [("UserData", "C"), ("Tags[0].Value", "C")]
        );
    }
}
