//! CloudFormation template tree → `Graph`: resources, parameters, mappings, conditions, and
//! the reference edges between them (`graph::link`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::graph::link::{Declared, link};
use crate::graph::{Graph, Parameter, Provider, Resource};
use crate::load::LoadError;
use crate::node::Node;
use crate::source::SourceFile;

pub fn build(source: Arc<SourceFile>, root: &Node) -> Result<Graph, LoadError> {
    let mut resources = Vec::new();
    let Some(res_section) = root.get("Resources") else {
        return Err(LoadError::whole_file("no `Resources` section".to_string()));
    };
    for entry in res_section.entries() {
        let body = &entry.value;
        let (rtype, type_span) = match body.entry("Type") {
            Some(t) => (
                t.value.as_str().unwrap_or_default().to_string(),
                t.value.span.clone(),
            ),
            None => (String::new(), entry.key_span.clone()),
        };
        resources.push(Resource {
            id: entry.key.clone(),
            id_span: entry.key_span.clone(),
            rtype,
            type_span,
            properties: body.get("Properties").cloned(),
            metadata: body.get("Metadata").cloned(),
            condition: body
                .get("Condition")
                .and_then(Node::as_str)
                .map(String::from),
        });
    }
    let parameters = root
        .get("Parameters")
        .map(|p| {
            p.entries()
                .iter()
                .map(|e| Parameter {
                    name: e.key.clone(),
                    span: e.key_span.clone(),
                    ptype: e.value.get("Type").and_then(Node::as_str).map(String::from),
                    default: e.value.get("Default").cloned(),
                    allowed: e
                        .value
                        .get("AllowedValues")
                        .map(|a| {
                            a.items()
                                .iter()
                                .filter_map(Node::as_str)
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let section = |name: &str| -> HashMap<String, Node> {
        root.get(name)
            .map(|m| {
                m.entries()
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut graph = Graph::new(
        source,
        Provider::CloudFormation,
        resources,
        parameters,
        section("Mappings"),
        section("Conditions"),
    );
    graph.outputs = root.get("Outputs").cloned();
    let declared: Vec<Declared> = res_section
        .entries()
        .iter()
        .map(|e| Declared {
            depends_on: e.value.get("DependsOn"),
            condition: e.value.get("Condition"),
        })
        .collect();
    link(&mut graph, &declared);
    Ok(graph)
}
