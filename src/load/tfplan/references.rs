//! Configuration references in planned values: unknowns marked, and the resources an
//! attribute's expression refers to put in as `Ref`/`Fn::GetAtt` nodes, through `var`s, module
//! calls and outputs, and `depends_on` as a `DependsOn` list.

use super::*;

impl<'a> Plan<'a> {
    /// The planned value with unknowns marked and configuration references put in, still
    /// under Terraform's attribute names. `path` is the attribute path (no indices).
    pub(super) fn resolve(
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
                        Some(Node::seq(u.span.clone(), items))
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

    pub(super) fn resolve_map(
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

    pub(super) fn resolve_seq(
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
        Node::seq(span, resolved)
    }

    /// Puts the resources that a leaf expression references in place of the value.
    pub(super) fn with_references(
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
            Kind::Seq(items) => Some(Node::seq(
                node.span.clone(),
                self.list_references(items, &refs),
            )),
            _ => Some(node),
        }
    }

    /// `aws_subnet.private[count.index]` (or `[each.key]`, or `element(..., count.index)`) is
    /// listed as `aws_subnet.private` next to `count.index`: of its instances, the one with
    /// this resource's own key is meant, when there is one.
    pub(super) fn same_instance(&self, scope: &Scope, expr: &Node, refs: &mut [Referenced]) {
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
    pub(super) fn value_of_references(
        &self,
        refs: &[Referenced],
        mode: RefMode,
        span: Span,
    ) -> Option<Node> {
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
            RefMode::List => Some(Node::seq(span, all)),
            // One resource without an instance key in a single value: with several
            // instances (count/for_each) the first is taken, as a representative.
            RefMode::Scalar if one_resource => all.into_iter().next(),
            RefMode::Any if all.len() == 1 => all.into_iter().next(),
            RefMode::Any => Some(Node::seq(span, all)),
            // Several resources for one value (a conditional or interpolation): unknown.
            RefMode::Scalar | RefMode::Content => None,
        }
    }

    /// A known value that equals the referenced attribute's planned value is that reference.
    /// Anything else (a string built around the reference) keeps its literal value.
    pub(super) fn known_reference(
        &self,
        refs: &[Referenced],
        text: &str,
        span: &Span,
    ) -> Option<Node> {
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
    pub(super) fn list_references(&self, items: &[Node], refs: &[Referenced]) -> Vec<Node> {
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
    pub(super) fn planned_value(&self, i: usize, attr: Option<&str>) -> Option<&'a str> {
        let values = self.resources.get(i)?.values?;
        values.get(attr.unwrap_or("id"))?.as_str()
    }

    /// `{"Ref": address}` for the ID or whole resource, `{"Fn::GetAtt": [address, attr]}`.
    pub(super) fn ref_node(&self, i: usize, attr: Option<&str>, span: &Span) -> Node {
        let address = self.resources.get(i).map_or("", |r| r.address);
        let target = Node::scalar(span.clone(), address, false);
        let (key, arg) = match attr {
            None => ("Ref", target),
            Some(a) => (
                "Fn::GetAtt",
                Node::seq(
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
    pub(super) fn references(
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
    pub(super) fn reference(
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

    pub(super) fn lookup(
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
    pub(super) fn instances(&self, addr: &str) -> Vec<usize> {
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
    pub(super) fn module_instance(&self, base: &str) -> String {
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

    pub(super) fn instances_under(&self, prefix: &str) -> bool {
        self.by_address
            .range(prefix..)
            .next()
            .is_some_and(|(a, _)| a.starts_with(prefix))
    }

    /// A resource's own `depends_on` and those of the module calls it sits in (a module's
    /// `depends_on` holds back every resource inside it), as one `DependsOn` list.
    pub(super) fn all_depends_on(
        &self,
        levels: &[Level<'a>],
        config: Option<&Node>,
    ) -> Option<Node> {
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
        span.map(|span| Node::seq(span, items))
    }

    /// `depends_on` addresses as a CloudFormation `DependsOn` list.
    pub(super) fn depends_on(&self, levels: &[Level<'a>], list: &Node) -> Node {
        let mut budget = LOOKUP_BUDGET;
        let mut items = Vec::new();
        for d in list.items() {
            let Some(text) = d.as_str() else { continue };
            for (instances, _) in self.reference(levels, text, &mut budget) {
                let addresses = instances.iter().filter_map(|&i| self.resources.get(i));
                items.extend(addresses.map(|r| Node::scalar(d.span.clone(), r.address, false)));
            }
        }
        Node::seq(list.span.clone(), items)
    }
}

/// Splits an address or reference at the dots outside `[...]` (instance keys may hold dots).
pub(super) fn split_address(s: &str) -> Vec<&str> {
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
pub(super) fn strip_key(token: &str) -> &str {
    token.split('[').next().unwrap_or(token)
}

/// Terraform lists a multi-step reference at every prefix (`aws_x.y.arn`, `aws_x.y`); the
/// longest says the most, and a shorter one may lose an instance key.
pub(super) fn longest_references<'n>(refs: &[&'n Node]) -> Vec<&'n Node> {
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
pub(super) fn names_a_resource(attr: Option<&str>) -> bool {
    let Some(a) = attr else { return true };
    matches!(a, "arn" | "name" | "value" | "insecure_value")
        || ["_id", "_arn", "_name", "_ids", "_arns"]
            .iter()
            .any(|s| a.ends_with(s))
}

/// `{"references": …}` / `{"constant_value": …}` (or `{}` when neither applies) describes
/// one attribute; any other map is a block of attribute expressions.
pub(super) fn is_leaf_expression(expr: &Node) -> bool {
    expr.is_map()
        && (expr.entries().is_empty()
            || expr.get("references").is_some()
            || expr.get("constant_value").is_some())
}

/// The block-expression of item `i` of a list block (one object serves every item).
pub(super) fn item_expr(expr: Option<&Node>, i: usize) -> Option<&Node> {
    match expr.map(|e| &e.kind) {
        Some(Kind::Seq(items)) => items.get(i),
        Some(Kind::Map(_)) => expr,
        _ => None,
    }
}

pub(super) fn is_true(n: &Node) -> bool {
    matches!(&n.kind, Kind::Scalar(s) if s.plain && s.text == "true")
}

pub(super) fn has_unknown(n: &Node) -> bool {
    is_true(n)
        || n.items().iter().any(has_unknown)
        || n.entries().iter().any(|e| has_unknown(&e.value))
}
