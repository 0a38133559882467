//! Reading a plan: its resource instances (`planned_values`, `resource_changes`), the module
//! levels of its configuration, each resource's CloudFormation form, and the root outputs.

use super::*;

impl<'a> Plan<'a> {
    pub(super) fn read(root: &'a Node) -> Plan<'a> {
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

    pub(super) fn build_resource(&self, p: &Planned<'a>, out: &mut Vec<Built>) {
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
    pub(super) fn outputs(&self) -> Option<Node> {
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
    pub(super) fn levels(&self, prefix: &str) -> Vec<Level<'a>> {
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
}

/// `0` of `aws_x.y[0]`, `"a"` of `module.m.aws_x.y["a"]`; none without an instance key.
pub(super) fn instance_key(address: &str) -> Option<&str> {
    let last = split_address(address).pop()?;
    let (_, key) = last.split_once('[')?;
    key.strip_suffix(']')
}

/// `resource_changes` by address (deposed objects are on their way out and skipped).
pub(super) fn changes_by_address(root: &Node) -> HashMap<&str, &Node> {
    root.get("resource_changes")
        .map_or(&[][..], Node::items)
        .iter()
        .filter(|rc| rc.get("deposed").is_none_or(Node::is_null))
        .filter_map(|rc| Some((rc.get("address")?.as_str()?, rc.get("change")?)))
        .collect()
}

/// A change that only deletes (or forgets) leaves nothing to lint.
pub(super) fn is_removal(change: &Node) -> bool {
    let actions = change.get("actions").map_or(&[][..], Node::items);
    !actions.is_empty()
        && actions
            .iter()
            .all(|a| matches!(a.as_str(), Some("delete" | "forget")))
}

pub(super) fn collect_module<'a>(
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

pub(super) fn collect_changes<'a>(root: &'a Node, out: &mut Vec<Planned<'a>>) {
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
pub(super) fn planned<'a>(
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
pub(super) fn module_prefix(address: &str, data: bool) -> &str {
    let tokens = split_address(address);
    let keep = tokens.len().saturating_sub(if data { 3 } else { 2 });
    let len: usize = tokens.iter().take(keep).map(|t| t.len() + 1).sum();
    address.get(..len).unwrap_or("")
}

/// The configuration block of a planned resource in its module.
pub(super) fn resource_config<'a>(level: &Level<'a>, p: &Planned) -> Option<&'a Node> {
    let mode = if p.data { "data" } else { "managed" };
    level.module?.get("resources")?.items().iter().find(|r| {
        r.get("type").and_then(Node::as_str) == Some(p.tf_type)
            && r.get("name").and_then(Node::as_str) == Some(p.name)
            && r.get("mode").and_then(Node::as_str).unwrap_or("managed") == mode
    })
}
