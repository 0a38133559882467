//! `ecslint graph`: the resources of one file and the references between them, as the rules
//! follow them, drawn as a Mermaid flowchart or a Graphviz (DOT) graph. The resources that
//! findings are about are marked, and so are the other resources on their chains, so a user
//! can see why a rule fired.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

use crate::dsl::Program;
use crate::finding::Finding;
use crate::graph::{EdgeKind, Graph, Target};
use crate::lint;
use crate::load::Outcome;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Format {
    Mermaid,
    Dot,
}

/// How a resource is marked.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    None,
    /// On the chain of a finding about another resource.
    Chain,
    /// A finding is about this resource.
    Finding,
}

struct Node {
    id: String,
    rtype: String,
    codes: BTreeSet<String>,
    mark: Mark,
}

/// `ecslint graph FILE`: loads and lints the file (`-`: `opts.stdin`) and draws it. Err: what
/// to tell the user (the file's errors, or why there is nothing to draw).
pub fn draw(
    file: &Path,
    focus: Option<&str>,
    format: Format,
    program: &Program,
    opts: &lint::Options,
) -> Result<String, String> {
    let report = lint::run(&[file.to_path_buf()], program, opts);
    match first_document(lint::load_file(file, opts)) {
        Outcome::Loaded { graph, .. } => {
            render(&graph, &report.findings, focus, format).map_err(|e| format!("error: {e}\n"))
        }
        Outcome::Skipped | Outcome::Documents(_) => Err(format!(
            "error: {} is neither a CloudFormation template nor a Terraform plan\n",
            file.display()
        )),
        Outcome::Failed { .. } => Err(report
            .errors
            .iter()
            .map(|e| {
                let at = e.span.as_ref().map_or(String::new(), |s| {
                    let (line, col) = e.source.line_col(s.start);
                    format!(":{line}:{col}")
                });
                format!("error: {}{at}: {}\n", e.source.path, e.message)
            })
            .collect()),
    }
}

/// In a file of several documents, the first one that loaded (the drawing shows one graph).
fn first_document(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Documents(list) => list
            .into_iter()
            .map(|(_, o)| first_document(o))
            .find(|o| !matches!(o, Outcome::Skipped))
            .unwrap_or(Outcome::Skipped),
        other => other,
    }
}

/// Draws `graph`, or with `focus` only that resource, the resources it leads to and the
/// ones that lead to it. Err: `focus` names no resource of the file.
pub fn render(
    graph: &Graph,
    findings: &[Finding],
    focus: Option<&str>,
    format: Format,
) -> Result<String, String> {
    let shown = match focus {
        None => (0..graph.resources.len()).collect(),
        Some(id) => {
            let Some(start) = graph.resource(id) else {
                let ids: Vec<&str> = graph.resources.iter().map(|r| r.id.as_str()).collect();
                let tip = crate::suggest::closest(id, &ids)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(format!("no resource `{id}` in {}{tip}", graph.source.path));
            };
            neighbourhood(graph, start)
        }
    };
    let nodes = nodes(graph, findings, &shown);
    let mut edges = edges(graph, &shown);
    mark_chains(&nodes, findings, &mut edges);
    Ok(match format {
        Format::Mermaid => mermaid(&nodes, &edges),
        Format::Dot => dot(&nodes, &edges),
    })
}

/// `start`, everything it references (transitively) and everything that references it.
fn neighbourhood(graph: &Graph, start: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    for forward in [true, false] {
        let mut stack = vec![start];
        while let Some(r) = stack.pop() {
            let next: Vec<usize> = if forward {
                graph
                    .edges_from(r)
                    .filter_map(|e| match e.to {
                        Target::Resource(t) => Some(t),
                        _ => None,
                    })
                    .collect()
            } else {
                graph.edges_to(r).map(|e| e.from).collect()
            };
            for n in next {
                if seen.insert(n) {
                    stack.push(n);
                }
            }
        }
    }
    seen
}

fn nodes(graph: &Graph, findings: &[Finding], shown: &BTreeSet<usize>) -> Vec<Node> {
    let mut marks: HashMap<&str, (Mark, BTreeSet<String>)> = HashMap::new();
    for f in findings {
        let e = marks
            .entry(&f.resource)
            .or_insert((Mark::None, BTreeSet::new()));
        e.0 = Mark::Finding;
        e.1.insert(f.code.clone());
        for r in f.labels.iter().filter_map(|l| l.resource.as_deref()) {
            let e = marks.entry(r).or_insert((Mark::None, BTreeSet::new()));
            e.0 = e.0.max(Mark::Chain);
        }
    }
    shown
        .iter()
        .map(|&i| {
            let r = &graph.resources[i];
            let (mark, codes) = marks
                .get(r.id.as_str())
                .cloned()
                .unwrap_or((Mark::None, BTreeSet::new()));
            Node {
                id: r.id.clone(),
                rtype: r.rtype.clone(),
                codes,
                mark,
            }
        })
        .collect()
}

/// The property paths that refer from one resource to another, and whether all of them are
/// literal names that match (drawn dashed: a guess from names, not a reference).
#[derive(Default)]
struct Link {
    paths: BTreeSet<String>,
    by_name: bool,
    /// A hop of a finding's chain (the finding's resource, then its related resources).
    on_chain: bool,
}

type Links = BTreeMap<(usize, usize), Link>;

/// (from, to) positions in `shown` order → their link.
fn edges(graph: &Graph, shown: &BTreeSet<usize>) -> Links {
    let position: HashMap<usize, usize> = shown.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let mut out = Links::new();
    for e in &graph.edges {
        let Target::Resource(to) = e.to else { continue };
        let (Some(&from), Some(&to)) = (position.get(&e.from), position.get(&to)) else {
            continue;
        };
        let label = match (&e.kind, e.path.is_empty()) {
            (EdgeKind::DependsOn, _) => "DependsOn".to_string(),
            (EdgeKind::Name, _) => format!("{} (by name)", e.path),
            (_, true) => String::new(),
            (_, false) => e.path.clone(),
        };
        let link = out.entry((from, to)).or_insert(Link {
            paths: BTreeSet::new(),
            by_name: true,
            on_chain: false,
        });
        link.paths.insert(label);
        link.by_name &= e.kind == EdgeKind::Name;
    }
    out
}

/// Marks the links between consecutive resources of each finding's chain, in either
/// direction (a chain may walk a reference backwards: the service that uses a provider).
fn mark_chains(nodes: &[Node], findings: &[Finding], links: &mut Links) {
    let position: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for f in findings {
        let chain: Vec<usize> = std::iter::once(f.resource.clone())
            .chain(f.related())
            .filter_map(|r| position.get(r.as_str()).copied())
            .collect();
        for pair in chain.windows(2) {
            for key in [(pair[0], pair[1]), (pair[1], pair[0])] {
                if let Some(link) = links.get_mut(&key) {
                    link.on_chain = true;
                }
            }
        }
    }
}

fn edge_label(paths: &BTreeSet<String>) -> String {
    paths
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

fn mermaid(nodes: &[Node], edges: &Links) -> String {
    // Mermaid labels are quoted; quotes and angle brackets are written as entities.
    let esc = |s: &str| {
        s.replace('#', "#35;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("flowchart LR\n");
    for (i, n) in nodes.iter().enumerate() {
        let mut label = format!("{}<br/>{}", esc(&n.id), esc(&n.rtype));
        if !n.codes.is_empty() {
            let codes: Vec<&str> = n.codes.iter().map(String::as_str).collect();
            let _ = write!(label, "<br/>{}", codes.join(" "));
        }
        let _ = writeln!(out, "  n{i}[\"{label}\"]");
    }
    for ((from, to), link) in edges {
        let label = edge_label(&link.paths);
        let arrow = if link.by_name { "-.->" } else { "-->" };
        if label.is_empty() {
            let _ = writeln!(out, "  n{from} {arrow} n{to}");
        } else {
            let _ = writeln!(out, "  n{from} {arrow}|\"{}\"| n{to}", esc(&label));
        }
    }
    // Links are numbered in the order they are written.
    for (n, _) in edges.values().enumerate().filter(|(_, l)| l.on_chain) {
        let _ = writeln!(out, "  linkStyle {n} stroke:#c00,stroke-width:2px");
    }
    let _ = writeln!(
        out,
        "  classDef finding fill:#fdd,stroke:#c00,stroke-width:2px"
    );
    let _ = writeln!(out, "  classDef chain fill:#ffeccc,stroke:#e80");
    for (class, mark) in [("finding", Mark::Finding), ("chain", Mark::Chain)] {
        let ids: Vec<String> = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.mark == mark)
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {class}", ids.join(","));
        }
    }
    out
}

fn dot(nodes: &[Node], edges: &Links) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from(
        "digraph ecslint {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=Helvetica];\n  edge [fontname=Helvetica, fontsize=10];\n",
    );
    for (i, n) in nodes.iter().enumerate() {
        let mut label = format!("{}\\n{}", esc(&n.id), esc(&n.rtype));
        if !n.codes.is_empty() {
            let codes: Vec<&str> = n.codes.iter().map(String::as_str).collect();
            let _ = write!(label, "\\n{}", codes.join(" "));
        }
        let style = match n.mark {
            Mark::Finding => {
                ", style=\"rounded,filled\", fillcolor=\"#ffdddd\", color=\"#cc0000\", penwidth=2"
            }
            Mark::Chain => ", style=\"rounded,filled\", fillcolor=\"#ffeccc\", color=\"#ee8800\"",
            Mark::None => "",
        };
        let _ = writeln!(out, "  n{i} [label=\"{label}\"{style}];");
    }
    for ((from, to), link) in edges {
        let mut style = String::new();
        if link.by_name {
            style.push_str(", style=dashed");
        }
        if link.on_chain {
            style.push_str(", color=\"#cc0000\", penwidth=2");
        }
        let _ = writeln!(
            out,
            "  n{from} -> n{to} [label=\"{}\"{style}];",
            esc(&edge_label(&link.paths))
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_keys_with_quotes_are_escaped() {
        let nodes = vec![
            Node {
                id: "aws_ecs_service.web[\"blue\"]".into(),
                rtype: "AWS::ECS::Service".into(),
                codes: BTreeSet::from(["ECS002".to_string()]),
                mark: Mark::Finding,
            },
            Node {
                id: "aws_ecs_cluster.main".into(),
                rtype: "AWS::ECS::Cluster".into(),
                codes: BTreeSet::new(),
                mark: Mark::None,
            },
        ];
        let mut links = Links::new();
        links.insert(
            (0, 1),
            Link {
                paths: BTreeSet::from(["Cluster".to_string()]),
                by_name: false,
                on_chain: true,
            },
        );
        let m = mermaid(&nodes, &links);
        assert!(
            m.contains(
                "n0[\"aws_ecs_service.web[#quot;blue#quot;]<br/>AWS::ECS::Service<br/>ECS002\"]"
            ),
            "{m}"
        );
        assert!(m.contains("n0 -->|\"Cluster\"| n1"), "{m}");
        assert!(m.contains("linkStyle 0 stroke:#c00"), "{m}");
        let d = dot(&nodes, &links);
        assert!(
            d.contains("label=\"aws_ecs_service.web[\\\"blue\\\"]\\nAWS::ECS::Service\\nECS002\""),
            "{d}"
        );
    }
}
