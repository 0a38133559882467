//! Terraform plan JSON (`terraform show -json plan.out`) → `Graph` in the CloudFormation model.
//!
//! Resources come from `planned_values` (root and child modules, data sources too); values
//! that `after_unknown` marks become `Kind::Unknown`; references written in `configuration`
//! become `Ref`/`Fn::GetAtt` nodes (IDs are unknown before apply, so the configuration is
//! often the only place that says which resource an attribute points at); `bindings` then
//! renames types and attributes. Edges are added by `graph::link`, as for templates.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::bindings::{self, Binding, Conf, Field, RefMode, Shape};
use crate::graph::link::{Declared, link};
use crate::graph::resolve::getatt_parts;
use crate::graph::{Graph, Partial, Provider, Resource, names, node_key};
use crate::load::LoadError;
use crate::node::{Entry, Kind, Node};
use crate::source::{SourceFile, Span};

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

impl<'a> Plan<'a> {
    fn read(root: &'a Node) -> Plan<'a> {
        let changes = changes_by_address(root);
        let mut resources = Vec::new();
        match root
            .get("planned_values")
            .and_then(|p| p.get("root_module"))
        {
            Some(module) => collect_module(module, &changes, false, &mut resources),
            // Plans without planned values (older or partial output): the `after` objects.
            None => collect_changes(root, &mut resources),
        }
        // Data sources read while planning are in the prior state only; `planned_values`
        // has just those deferred to apply.
        let prior = root.get("prior_state").and_then(|p| p.get("values"));
        if let Some(module) = prior.and_then(|v| v.get("root_module")) {
            let mut read = Vec::new();
            collect_module(module, &changes, true, &mut read);
            read.retain(|r| resources.iter().all(|p| p.address != r.address));
            resources.extend(read);
        }
        let by_address = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.address, i))
            .collect();
        Plan {
            resources,
            by_address,
            config: root.get("configuration").and_then(|c| c.get("root_module")),
        }
    }

    fn build_resource(&self, p: &Planned<'a>, out: &mut Vec<Built>) {
        let levels = self.levels(p.module);
        let config = levels.last().and_then(|l| resource_config(l, p));
        let exprs = config.and_then(|c| c.get("expressions"));
        let tf_key = if p.data {
            format!("data.{}", p.tf_type)
        } else {
            p.tf_type.to_string()
        };
        let scope = Scope {
            levels,
            tf_key: &tf_key,
            key: instance_key(p.address),
        };
        let span = p
            .values
            .map_or_else(|| p.address_span.clone(), |v| v.span.clone());
        let attrs = self
            .resolve(&scope, p.values, p.unknown, exprs, &mut Vec::new())
            .filter(Node::is_map)
            .unwrap_or_else(|| Node::map(span, Vec::new()));
        let conf = Conf {
            configured: config.is_some(),
            exprs,
        };
        let binding = bindings::binding(&tf_key);
        let (rtype, properties) = match binding {
            Some(b) => (
                bindings::cfn_type(b, &attrs).to_string(),
                bindings::properties(b.fields, &attrs, conf),
            ),
            None => (tf_key.clone(), attrs.clone()),
        };
        let depends_on = self.all_depends_on(&scope.levels, config);
        out.push(Built {
            resource: Resource {
                id: p.address.to_string(),
                id_span: p.address_span.clone(),
                rtype,
                type_span: p.type_span.clone(),
                properties: Some(properties),
                metadata: None,
                condition: None,
            },
            tf_key,
            depends_on,
            bound: binding.map(|b| (b.fields, b.tf, b.absent)),
        });
        if let Some(b) = binding {
            split_children(b, p, &attrs, conf, out);
        }
    }

    /// The root module's outputs in the shape of CloudFormation's `Outputs` section
    /// (`{name: {Value: …}}`): what the configuration hands to others (`terraform_remote_state`,
    /// a configuration that calls it as a module). Every resource an output refers to, also
    /// through module outputs, is one `Ref`/`Fn::GetAtt` entry under the output's name; an
    /// output without references keeps its constant. None without a configuration: only it
    /// says what an output refers to.
    fn outputs(&self) -> Option<Node> {
        let config = self.config?;
        let levels = self.levels("");
        let mut entries = Vec::new();
        for output in config.get("outputs").map_or(&[][..], Node::entries) {
            let Some(expr) = output.value.get("expression") else {
                continue;
            };
            let mut budget = LOOKUP_BUDGET;
            let refs = self.references(&levels, expr, &mut budget);
            let mut values: Vec<Node> = refs
                .iter()
                .flat_map(|r| r.instances.iter().map(move |&i| (r, i)))
                .map(|(r, i)| self.ref_node(i, r.attr.as_deref(), &r.span))
                .collect();
            if values.is_empty() {
                values.extend(expr.get("constant_value").cloned());
            }
            for value in values {
                let body = Entry {
                    key: "Value".to_string(),
                    key_span: value.span.clone(),
                    value,
                };
                entries.push(Entry {
                    key: output.key.clone(),
                    key_span: output.key_span.clone(),
                    value: Node::map(output.value.span.clone(), vec![body]),
                });
            }
        }
        Some(Node::map(config.span.clone(), entries))
    }

    /// The configuration levels from the root to the module instance `prefix`.
    fn levels(&self, prefix: &str) -> Vec<Level<'a>> {
        let mut levels = vec![Level {
            prefix: String::new(),
            module: self.config,
            call: None,
        }];
        let tokens: Vec<&str> = split_address(prefix)
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect();
        for pair in tokens.chunks_exact(2) {
            let [keyword, instance] = pair else { continue };
            let Some(parent) = levels.last() else { break };
            if *keyword != "module" {
                break;
            }
            let call = parent
                .module
                .and_then(|m| m.get("module_calls"))
                .and_then(|c| c.get(strip_key(instance)));
            let level = Level {
                prefix: format!("{}module.{instance}.", parent.prefix),
                module: call.and_then(|c| c.get("module")),
                call,
            };
            levels.push(level);
        }
        levels
    }

    /// The planned value with unknowns marked and configuration references put in, still
    /// under Terraform's attribute names. `path` is the attribute path (no indices).
    fn resolve(
        &self,
        scope: &Scope<'a, '_>,
        value: Option<&'a Node>,
        unknown: Option<&'a Node>,
        expr: Option<&'a Node>,
        path: &mut Vec<&'a str>,
    ) -> Option<Node> {
        let leaf = expr.filter(|e| is_leaf_expression(e));
        let block_expr = if leaf.is_some() { None } else { expr };
        let base = if unknown.is_some_and(is_true) {
            unknown.map(|u| Node::unknown(u.span.clone(), KNOWN_AFTER_APPLY))
        } else {
            match value.map(|v| &v.kind) {
                Some(Kind::Map(entries)) => {
                    let span = value.map_or(0..0, |v| v.span.clone());
                    Some(self.resolve_map(scope, span, entries, unknown, block_expr, path))
                }
                Some(Kind::Seq(items)) => {
                    let span = value.map_or(0..0, |v| v.span.clone());
                    let unknown_items = unknown.map_or(&[][..], Node::items);
                    Some(self.resolve_seq(scope, span, items, unknown_items, block_expr, path))
                }
                Some(_) => value.cloned(),
                // Absent from the values but with unknown parts: build it from those.
                None => match unknown.filter(|u| has_unknown(u)) {
                    Some(u) if u.is_map() => Some(self.resolve_map(
                        scope,
                        u.span.clone(),
                        &[],
                        Some(u),
                        block_expr,
                        path,
                    )),
                    Some(u) => {
                        let unknown_items = u.items().iter().map(Some);
                        let items = unknown_items
                            .enumerate()
                            .filter_map(|(i, ui)| {
                                self.resolve(scope, None, ui, item_expr(block_expr, i), path)
                            })
                            .collect();
                        Some(seq(u.span.clone(), items))
                    }
                    None => None,
                },
            }
        };
        match leaf {
            Some(e) => self.with_references(scope, base, e, path),
            None => base,
        }
    }

    fn resolve_map(
        &self,
        scope: &Scope<'a, '_>,
        span: Span,
        entries: &'a [Entry],
        unknown: Option<&'a Node>,
        expr: Option<&'a Node>,
        path: &mut Vec<&'a str>,
    ) -> Node {
        let mut out = Vec::new();
        let mut attr =
            |key: &'a str, key_span: &Span, v: Option<&'a Node>, out: &mut Vec<Entry>| {
                path.push(key);
                let u = unknown.and_then(|u| u.get(key));
                let e = expr.and_then(|e| e.get(key));
                if let Some(value) = self.resolve(scope, v, u, e, path) {
                    out.push(Entry {
                        key: key.to_string(),
                        key_span: key_span.clone(),
                        value,
                    });
                }
                path.pop();
            };
        for e in entries {
            attr(&e.key, &e.key_span, Some(&e.value), &mut out);
        }
        // Unknown attributes are left out of the values; `after_unknown` names them.
        for u in unknown.map_or(&[][..], Node::entries) {
            if !entries.iter().any(|e| e.key == u.key) && has_unknown(&u.value) {
                attr(&u.key, &u.key_span, None, &mut out);
            }
        }
        // A reference to something not planned at all (no `after_unknown` to say so).
        for x in expr.map_or(&[][..], Node::entries) {
            let seen = out.iter().any(|o| o.key == x.key);
            if !seen && x.value.get("references").is_some() {
                attr(&x.key, &x.key_span, None, &mut out);
            }
        }
        Node::map(span, out)
    }

    fn resolve_seq(
        &self,
        scope: &Scope<'a, '_>,
        span: Span,
        items: &'a [Node],
        unknown: &'a [Node],
        expr: Option<&'a Node>,
        path: &mut Vec<&'a str>,
    ) -> Node {
        let resolved = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                self.resolve(scope, Some(item), unknown.get(i), item_expr(expr, i), path)
            })
            .collect();
        seq(span, resolved)
    }

    /// Puts the resources that a leaf expression references in place of the value.
    fn with_references(
        &self,
        scope: &Scope<'a, '_>,
        base: Option<Node>,
        expr: &'a Node,
        path: &[&str],
    ) -> Option<Node> {
        let mode = bindings::ref_mode(scope.tf_key, path);
        if mode == RefMode::Content {
            return base;
        }
        let mut budget = LOOKUP_BUDGET;
        let mut refs = self.references(&scope.levels, expr, &mut budget);
        if refs.is_empty() {
            return base;
        }
        self.same_instance(scope, expr, &mut refs);
        let Some(node) = base else {
            return self.value_of_references(&refs, mode, expr.span.clone());
        };
        match &node.kind {
            Kind::Unknown(_) => self
                .value_of_references(&refs, mode, node.span.clone())
                .or(Some(node)),
            Kind::Scalar(s) if !s.is_null() => Some(
                self.known_reference(&refs, &s.text, &node.span)
                    .unwrap_or(node),
            ),
            Kind::Seq(items) => Some(seq(node.span.clone(), self.list_references(items, &refs))),
            _ => Some(node),
        }
    }

    /// `aws_subnet.private[count.index]` (or `[each.key]`, or `element(..., count.index)`) is
    /// listed as `aws_subnet.private` next to `count.index`: of its instances, the one with
    /// this resource's own key is meant, when there is one.
    fn same_instance(&self, scope: &Scope, expr: &Node, refs: &mut [Referenced]) {
        let Some(key) = scope.key else { return };
        let keyed = expr
            .get("references")
            .map_or(&[][..], Node::items)
            .iter()
            .any(|r| matches!(r.as_str(), Some("count.index" | "each.key")));
        if !keyed {
            return;
        }
        let suffix = format!("[{key}]");
        for r in refs.iter_mut().filter(|r| r.instances.len() > 1) {
            let same: Vec<usize> = r
                .instances
                .iter()
                .copied()
                .filter(|&i| {
                    self.resources
                        .get(i)
                        .is_some_and(|p| p.address.ends_with(&suffix))
                })
                .collect();
            if !same.is_empty() {
                r.instances = same;
            }
        }
    }

    /// The value of an unknown attribute that references `refs`.
    fn value_of_references(&self, refs: &[Referenced], mode: RefMode, span: Span) -> Option<Node> {
        let refs: Vec<&Referenced> = refs
            .iter()
            .filter(|r| names_a_resource(r.attr.as_deref()))
            .collect();
        let all: Vec<Node> = refs
            .iter()
            .flat_map(|r| r.instances.iter().map(move |&i| (*r, i)))
            .map(|(r, i)| self.ref_node(i, r.attr.as_deref(), &r.span))
            .collect();
        let one_resource = refs.len() == 1;
        match mode {
            RefMode::List => Some(seq(span, all)),
            // One resource without an instance key in a single value: with several
            // instances (count/for_each) the first is taken, as a representative.
            RefMode::Scalar if one_resource => all.into_iter().next(),
            RefMode::Any if all.len() == 1 => all.into_iter().next(),
            RefMode::Any => Some(seq(span, all)),
            // Several resources for one value (a conditional or interpolation): unknown.
            RefMode::Scalar | RefMode::Content => None,
        }
    }

    /// A known value that equals the referenced attribute's planned value is that reference.
    /// Anything else (a string built around the reference) keeps its literal value.
    fn known_reference(&self, refs: &[Referenced], text: &str, span: &Span) -> Option<Node> {
        refs.iter().find_map(|r| {
            let attr = r.attr.as_deref();
            r.instances
                .iter()
                .find(|&&i| self.planned_value(i, attr) == Some(text))
                .map(|&i| self.ref_node(i, attr, span))
        })
    }

    /// A list: known items that match a referenced value become references, unknown items
    /// take the remaining references in order.
    fn list_references(&self, items: &[Node], refs: &[Referenced]) -> Vec<Node> {
        let mut pending: Vec<(usize, Option<&str>, &Span)> = refs
            .iter()
            .flat_map(|r| {
                r.instances
                    .iter()
                    .map(move |&i| (i, r.attr.as_deref(), &r.span))
            })
            .collect();
        let unknown_takes = |(_, attr, _): &(usize, Option<&str>, &Span)| names_a_resource(*attr);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let found = match &item.kind {
                Kind::Scalar(s) if !s.is_null() => pending
                    .iter()
                    .position(|&(i, attr, _)| self.planned_value(i, attr) == Some(s.text.as_str()))
                    .map(|k| (k, item.span.clone())),
                Kind::Unknown(_) => pending
                    .iter()
                    .position(unknown_takes)
                    .and_then(|k| Some((k, pending.get(k)?.2.clone()))),
                _ => None,
            };
            match found {
                Some((k, span)) => {
                    let (i, attr, _) = pending.remove(k);
                    out.push(self.ref_node(i, attr, &span));
                }
                None => out.push(item.clone()),
            }
        }
        out
    }

    /// The planned string value of attribute `attr` (`id` when none) of resource `i`.
    fn planned_value(&self, i: usize, attr: Option<&str>) -> Option<&'a str> {
        let values = self.resources.get(i)?.values?;
        values.get(attr.unwrap_or("id"))?.as_str()
    }

    /// `{"Ref": address}` for the ID or whole resource, `{"Fn::GetAtt": [address, attr]}`.
    fn ref_node(&self, i: usize, attr: Option<&str>, span: &Span) -> Node {
        let address = self.resources.get(i).map_or("", |r| r.address);
        let target = Node::scalar(span.clone(), address, false);
        let (key, arg) = match attr {
            None => ("Ref", target),
            Some(a) => (
                "Fn::GetAtt",
                seq(
                    span.clone(),
                    vec![target, Node::scalar(span.clone(), a, false)],
                ),
            ),
        };
        Node::map(
            span.clone(),
            vec![Entry {
                key: key.to_string(),
                key_span: span.clone(),
                value: arg,
            }],
        )
    }

    /// The resources referenced by a leaf expression `{"references": [...]}`.
    fn references(
        &self,
        levels: &[Level<'a>],
        expr: &'a Node,
        budget: &mut usize,
    ) -> Vec<Referenced> {
        let strings: Vec<&Node> = expr
            .get("references")
            .map_or(&[][..], Node::items)
            .iter()
            .filter(|n| n.as_str().is_some())
            .collect();
        let mut out: Vec<Referenced> = Vec::new();
        for s in longest_references(&strings) {
            for (instances, attr) in self.reference(levels, s.as_str().unwrap_or(""), budget) {
                if out.iter().all(|o| o.instances != instances) {
                    out.push(Referenced {
                        instances,
                        attr,
                        span: s.span.clone(),
                    });
                }
            }
        }
        out
    }

    /// The resource instances one reference text names, following module variables up to
    /// the module call and module outputs down into the module.
    fn reference(
        &self,
        levels: &[Level<'a>],
        text: &str,
        budget: &mut usize,
    ) -> Vec<(Vec<usize>, Option<String>)> {
        let Some((level, parents)) = levels.split_last() else {
            return Vec::new();
        };
        if *budget == 0 {
            return Vec::new();
        }
        *budget -= 1;
        let tokens = split_address(text);
        let found =
            |refs: Vec<Referenced>| refs.into_iter().map(|r| (r.instances, r.attr)).collect();
        match tokens.as_slice() {
            ["var", name, ..] => {
                let passed = level
                    .call
                    .and_then(|c| c.get("expressions"))
                    .and_then(|e| e.get(strip_key(name)));
                match passed {
                    Some(expr) if !parents.is_empty() => {
                        found(self.references(parents, expr, budget))
                    }
                    _ => Vec::new(),
                }
            }
            ["module", instance, output, ..] => {
                let call = level
                    .module
                    .and_then(|m| m.get("module_calls"))
                    .and_then(|c| c.get(strip_key(instance)));
                let module = call.and_then(|c| c.get("module"));
                let expr = module
                    .and_then(|m| m.get("outputs"))
                    .and_then(|o| o.get(strip_key(output)))
                    .and_then(|o| o.get("expression"));
                let Some(expr) = expr else {
                    return Vec::new();
                };
                let mut inner = levels.to_vec();
                inner.push(Level {
                    prefix: self.module_instance(&format!("{}module.{instance}", level.prefix)),
                    module,
                    call,
                });
                found(self.references(&inner, expr, budget))
            }
            ["data", rtype, name, rest @ ..] => {
                self.lookup(level, &format!("data.{rtype}.{name}"), rest.first())
            }
            [rtype, name, rest @ ..] if !NOT_RESOURCES.contains(rtype) && *rtype != "module" => {
                self.lookup(level, &format!("{rtype}.{name}"), rest.first())
            }
            _ => Vec::new(),
        }
    }

    fn lookup(
        &self,
        level: &Level<'a>,
        local: &str,
        attr: Option<&&str>,
    ) -> Vec<(Vec<usize>, Option<String>)> {
        let instances = self.instances(&format!("{}{local}", level.prefix));
        if instances.is_empty() {
            return Vec::new();
        }
        let attr = attr.map(|a| strip_key(a)).filter(|a| *a != "id");
        vec![(instances, attr.map(String::from))]
    }

    /// `addr` itself, or its instances `addr[...]` (a configuration address has no key).
    fn instances(&self, addr: &str) -> Vec<usize> {
        if let Some(&i) = self.by_address.get(addr) {
            return vec![i];
        }
        let keyed = format!("{addr}[");
        self.by_address
            .range(keyed.as_str()..)
            .take_while(|(a, _)| a.starts_with(&keyed))
            .map(|(_, &i)| i)
            .collect()
    }

    /// The prefix of module `base`'s resources: `base.` or, under count/for_each, the first
    /// instance's `base[key].`.
    fn module_instance(&self, base: &str) -> String {
        let plain = format!("{base}.");
        let keyed = format!("{base}[");
        let first = self
            .by_address
            .range(keyed.as_str()..)
            .next()
            .map(|(a, _)| *a)
            .filter(|a| a.starts_with(&keyed));
        match (self.instances_under(&plain), first) {
            (false, Some(addr)) => {
                let rest = addr.get(base.len()..).unwrap_or("");
                let key = split_address(rest).into_iter().next().unwrap_or("");
                format!("{base}{key}.")
            }
            _ => plain,
        }
    }

    fn instances_under(&self, prefix: &str) -> bool {
        self.by_address
            .range(prefix..)
            .next()
            .is_some_and(|(a, _)| a.starts_with(prefix))
    }

    /// A resource's own `depends_on` and those of the module calls it sits in (a module's
    /// `depends_on` holds back every resource inside it), as one `DependsOn` list.
    fn all_depends_on(&self, levels: &[Level<'a>], config: Option<&Node>) -> Option<Node> {
        let own = config
            .and_then(|c| c.get("depends_on"))
            .map(|d| self.depends_on(levels, d));
        let mut items: Vec<Node> = own.iter().flat_map(|d| d.items().to_vec()).collect();
        let mut span = own.as_ref().map(|d| d.span.clone());
        for (i, level) in levels.iter().enumerate().skip(1) {
            if let Some(d) = level.call.and_then(|c| c.get("depends_on")) {
                items.extend(self.depends_on(&levels[..i], d).items().iter().cloned());
                span.get_or_insert_with(|| d.span.clone());
            }
        }
        span.map(|span| seq(span, items))
    }

    /// `depends_on` addresses as a CloudFormation `DependsOn` list.
    fn depends_on(&self, levels: &[Level<'a>], list: &Node) -> Node {
        let mut budget = LOOKUP_BUDGET;
        let mut items = Vec::new();
        for d in list.items() {
            let Some(text) = d.as_str() else { continue };
            for (instances, _) in self.reference(levels, text, &mut budget) {
                let addresses = instances.iter().filter_map(|&i| self.resources.get(i));
                items.extend(addresses.map(|r| Node::scalar(d.span.clone(), r.address, false)));
            }
        }
        seq(list.span.clone(), items)
    }
}

struct Scope<'a, 'k> {
    levels: Vec<Level<'a>>,
    tf_key: &'k str,
    /// The resource's own instance key, as written in its address (`0`, `"a"`).
    key: Option<&'a str>,
}

/// `0` of `aws_x.y[0]`, `"a"` of `module.m.aws_x.y["a"]`; none without an instance key.
fn instance_key(address: &str) -> Option<&str> {
    let last = split_address(address).pop()?;
    let (_, key) = last.split_once('[')?;
    key.strip_suffix(']')
}

/// `resource_changes` by address (deposed objects are on their way out and skipped).
fn changes_by_address(root: &Node) -> HashMap<&str, &Node> {
    root.get("resource_changes")
        .map_or(&[][..], Node::items)
        .iter()
        .filter(|rc| rc.get("deposed").is_none_or(Node::is_null))
        .filter_map(|rc| Some((rc.get("address")?.as_str()?, rc.get("change")?)))
        .collect()
}

/// A change that only deletes (or forgets) leaves nothing to lint.
fn is_removal(change: &Node) -> bool {
    let actions = change.get("actions").map_or(&[][..], Node::items);
    !actions.is_empty()
        && actions
            .iter()
            .all(|a| matches!(a.as_str(), Some("delete" | "forget")))
}

fn collect_module<'a>(
    module: &'a Node,
    changes: &HashMap<&str, &'a Node>,
    data_only: bool,
    out: &mut Vec<Planned<'a>>,
) {
    for r in module.get("resources").map_or(&[][..], Node::items) {
        if data_only && r.get("mode").and_then(Node::as_str) != Some("data") {
            continue;
        }
        let change = r
            .get("address")
            .and_then(Node::as_str)
            .and_then(|a| changes.get(a).copied());
        if change.is_some_and(is_removal) {
            continue;
        }
        let unknown = change.and_then(|c| c.get("after_unknown"));
        if let Some(p) = planned(r, r.get("values"), unknown) {
            out.push(p);
        }
    }
    for child in module.get("child_modules").map_or(&[][..], Node::items) {
        collect_module(child, changes, data_only, out);
    }
}

fn collect_changes<'a>(root: &'a Node, out: &mut Vec<Planned<'a>>) {
    for rc in root.get("resource_changes").map_or(&[][..], Node::items) {
        let Some(change) = rc.get("change") else {
            continue;
        };
        let after = change.get("after").filter(|a| !a.is_null());
        let deposed = rc.get("deposed").is_some_and(|d| !d.is_null());
        if deposed || after.is_none() || is_removal(change) {
            continue;
        }
        if let Some(p) = planned(rc, after, change.get("after_unknown")) {
            out.push(p);
        }
    }
}

/// A resource entry (`planned_values` or `resource_changes`: same keys).
fn planned<'a>(
    r: &'a Node,
    values: Option<&'a Node>,
    unknown: Option<&'a Node>,
) -> Option<Planned<'a>> {
    let address = r.get("address")?;
    let address_text = address.as_str()?;
    let rtype = r.get("type")?;
    let data = r.get("mode").and_then(Node::as_str) == Some("data");
    Some(Planned {
        address: address_text,
        address_span: address.span.clone(),
        tf_type: rtype.as_str()?,
        type_span: rtype.span.clone(),
        name: r.get("name").and_then(Node::as_str).unwrap_or_default(),
        data,
        module: module_prefix(address_text, data),
        values,
        unknown,
    })
}

/// `module.a["k"].module.b.` of `module.a["k"].module.b.aws_x.y[0]`.
fn module_prefix(address: &str, data: bool) -> &str {
    let tokens = split_address(address);
    let keep = tokens.len().saturating_sub(if data { 3 } else { 2 });
    let len: usize = tokens.iter().take(keep).map(|t| t.len() + 1).sum();
    address.get(..len).unwrap_or("")
}

/// The configuration block of a planned resource in its module.
fn resource_config<'a>(level: &Level<'a>, p: &Planned) -> Option<&'a Node> {
    let mode = if p.data { "data" } else { "managed" };
    level.module?.get("resources")?.items().iter().find(|r| {
        r.get("type").and_then(Node::as_str) == Some(p.tf_type)
            && r.get("name").and_then(Node::as_str) == Some(p.name)
            && r.get("mode").and_then(Node::as_str).unwrap_or("managed") == mode
    })
}

/// Splits an address or reference at the dots outside `[...]` (instance keys may hold dots).
fn split_address(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in s.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

/// `name` of `name[0]` or `name["k"]`.
fn strip_key(token: &str) -> &str {
    token.split('[').next().unwrap_or(token)
}

/// Terraform lists a multi-step reference at every prefix (`aws_x.y.arn`, `aws_x.y`); the
/// longest says the most, and a shorter one may lose an instance key.
fn longest_references<'n>(refs: &[&'n Node]) -> Vec<&'n Node> {
    let text = |n: &Node| n.as_str().unwrap_or("").to_string();
    refs.iter()
        .copied()
        .filter(|r| {
            let t = text(r);
            !refs.iter().any(|o| {
                let o = text(o);
                o.len() > t.len()
                    && o.starts_with(&t)
                    && matches!(o.as_bytes().get(t.len()), Some(b'.' | b'['))
            })
        })
        .collect()
}

/// Whether reading `attr` of a resource gives something that identifies it (its ID, ARN,
/// name, or an SSM parameter's value) and so can stand for a whole unknown value. Other
/// attributes (`random_id.x.hex`) are mostly interpolated into a larger string.
fn names_a_resource(attr: Option<&str>) -> bool {
    let Some(a) = attr else { return true };
    matches!(a, "arn" | "name" | "value" | "insecure_value")
        || ["_id", "_arn", "_name", "_ids", "_arns"]
            .iter()
            .any(|s| a.ends_with(s))
}

/// `{"references": …}` / `{"constant_value": …}` (or `{}` when neither applies) describes
/// one attribute; any other map is a block of attribute expressions.
fn is_leaf_expression(expr: &Node) -> bool {
    expr.is_map()
        && (expr.entries().is_empty()
            || expr.get("references").is_some()
            || expr.get("constant_value").is_some())
}

/// The block-expression of item `i` of a list block (one object serves every item).
fn item_expr(expr: Option<&Node>, i: usize) -> Option<&Node> {
    match expr.map(|e| &e.kind) {
        Some(Kind::Seq(items)) => items.get(i),
        Some(Kind::Map(_)) => expr,
        _ => None,
    }
}

fn is_true(n: &Node) -> bool {
    matches!(&n.kind, Kind::Scalar(s) if s.plain && s.text == "true")
}

fn has_unknown(n: &Node) -> bool {
    is_true(n)
        || n.items().iter().any(has_unknown)
        || n.entries().iter().any(|e| has_unknown(&e.value))
}

fn seq(span: Span, items: Vec<Node>) -> Node {
    Node {
        span,
        kind: Kind::Seq(items),
    }
}

/// Inline blocks that CloudFormation models as resources (`route[]` → `AWS::EC2::Route`),
/// each named `<parent address>.<block>[i]`.
fn split_children(b: &Binding, p: &Planned, attrs: &Node, conf: Conf, out: &mut Vec<Built>) {
    for child in b.children {
        let Some(value) = attrs.get(child.tf) else {
            continue;
        };
        let parent = |span: &Span| Entry {
            key: child.parent.to_string(),
            key_span: span.clone(),
            value: Node::map(
                span.clone(),
                vec![Entry {
                    key: "Ref".to_string(),
                    key_span: span.clone(),
                    value: Node::scalar(span.clone(), p.address, false),
                }],
            ),
        };
        let mut push = |suffix: String, span: &Span, props: Node| {
            let mut props = props;
            if let Kind::Map(entries) = &mut props.kind {
                entries.insert(0, parent(span));
            }
            out.push(Built {
                resource: Resource {
                    id: format!("{}.{}{suffix}", p.address, child.tf),
                    id_span: span.clone(),
                    rtype: child.cfn.to_string(),
                    type_span: p.type_span.clone(),
                    properties: Some(props),
                    metadata: None,
                    condition: None,
                },
                tf_key: child.tf.to_string(),
                depends_on: None,
                bound: Some((child.fields, b.tf, &[])),
            });
        };
        match &value.kind {
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate().filter(|(_, it)| it.is_map()) {
                    let props = bindings::properties(child.fields, item, conf.nested(child.tf, i));
                    push(format!("[{i}]"), &item.span, props);
                }
            }
            // Unknown while the configuration sets none: only separate resources add
            // routes. Unknown otherwise: one stand-in whose every property is unknown.
            Kind::Unknown(reason) => {
                let unset = conf.configured && conf.exprs.and_then(|e| e.get(child.tf)).is_none();
                if !unset {
                    let entries = child
                        .fields
                        .iter()
                        .filter(|f| !f.cfn.contains('.'))
                        .map(|f| Entry {
                            key: f.cfn.to_string(),
                            key_span: value.span.clone(),
                            value: Node::unknown(value.span.clone(), reason.clone()),
                        })
                        .fold(Vec::<Entry>::new(), |mut acc, e| {
                            if acc.iter().all(|a| a.key != e.key) {
                                acc.push(e);
                            }
                            acc
                        });
                    push(
                        "[*]".to_string(),
                        &value.span,
                        Node::map(value.span.clone(), entries),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Resources that CloudFormation has no type for are folded into the resource they modify
/// (`bindings::FOLDS`): an attachment's policy ARN joins the role's `ManagedPolicyArns`.
fn fold(built: &mut [Built]) {
    for rule in bindings::FOLDS {
        for i in 0..built.len() {
            let Some(source) = built.get(i).filter(|b| b.tf_key == rule.tf) else {
                continue;
            };
            let props = source.resource.properties.as_ref();
            let Some(value) = props
                .and_then(|p| p.get(rule.value))
                .filter(|v| !v.is_null())
            else {
                continue;
            };
            let value = value.clone();
            let by = props.and_then(|p| p.get(rule.by));
            let targets: Vec<usize> = by
                .map(|n| match &n.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![n],
                })
                .unwrap_or_default()
                .into_iter()
                .filter_map(|n| fold_target(built, n, rule.target))
                .collect();
            for t in targets {
                if let Some(props) = built
                    .get_mut(t)
                    .and_then(|b| b.resource.properties.as_mut())
                {
                    append(props, rule.into, value.clone());
                }
            }
        }
    }
}

/// The resource of type `rtype` that `n` names: by reference, else by literal name or ARN.
fn fold_target(built: &[Built], n: &Node, rtype: &str) -> Option<usize> {
    let of_type = |b: &&Built| b.resource.rtype == rtype;
    if let Some((func, arg)) = n.intrinsic() {
        let address = match func {
            "Ref" => arg.as_str(),
            "Fn::GetAtt" => getatt_parts(arg).0,
            _ => None,
        }?;
        return built
            .iter()
            .position(|b| of_type(&b) && b.resource.id == address);
    }
    let name = names::name_in_reference(n.as_str()?);
    built
        .iter()
        .position(|b| of_type(&b) && names::literal_name(&b.resource) == Some(name))
}

/// Appends `value` to list property `key`, unless it is there already (a plan of existing
/// resources reads attached policies back into the role) or the list is unknown.
fn append(props: &mut Node, key: &str, value: Node) {
    let Kind::Map(entries) = &mut props.kind else {
        return;
    };
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => {
            // An unknown list stays unknown: the attachment is only part of it.
            if let Kind::Seq(items) = &mut e.value.kind
                && !items.iter().any(|i| same_value(i, &value))
            {
                items.push(value);
            }
        }
        None => entries.push(Entry {
            key: key.to_string(),
            key_span: value.span.clone(),
            value: seq(value.span.clone(), vec![value]),
        }),
    }
}

/// Same literal, or a reference to the same resource.
fn same_value(a: &Node, b: &Node) -> bool {
    let target = |n: &Node| match n.intrinsic() {
        Some(("Ref", arg)) => arg.as_str().map(String::from),
        Some(("Fn::GetAtt", arg)) => getatt_parts(arg).0.map(String::from),
        _ => None,
    };
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x == y,
        _ => target(a).is_some() && target(a) == target(b),
    }
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
fn arguments(graph: &Graph, bound: &[Option<Bound>]) -> HashMap<(usize, String), &'static str> {
    let mut out = HashMap::new();
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
