//! Resolution of CloudFormation values: `Ref`, `Fn::GetAtt`, `Fn::If` and conditions,
//! `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::FindInMap`, parameter defaults and pseudo
//! parameters, and whether a resource carries a name. Terraform plans load into the same
//! shapes, so they resolve here too.

use std::borrow::Cow;
use std::rc::Rc;

use typed_arena::Arena;

use crate::graph::intrinsic::{SubPart, sub_parts};
use crate::graph::value::{Facts, V, Val, fill_holes, hole};
use crate::graph::{Graph, arn, names};
use crate::node::{Kind, Node};
use crate::source::Span;

/// The resource and attribute of a `Fn::GetAtt` argument: `[Res, Attr]` or `"Res.Attr"`.
pub fn getatt_parts(arg: &Node) -> (Option<&str>, Option<&str>) {
    match arg.items() {
        [res, attr, ..] => (res.as_str(), attr.as_str()),
        _ => match arg.as_str().and_then(|s| s.split_once('.')) {
            Some((r, a)) => (Some(r), Some(a)),
            None => (arg.as_str(), None),
        },
    }
}

/// Resolution context: the graph, and an arena for trees parsed while evaluating (JSON text).
pub struct Ctx<'g> {
    pub graph: &'g Graph,
    pub arena: &'g Arena<Node>,
    /// How deep resolution is nested, and how much work the outermost call has done: a
    /// parameter whose default refers to itself, or `Fn::If` chains that double at every
    /// level, end as unknown instead of overflowing the stack or running forever.
    pub depth: std::cell::Cell<usize>,
    pub work: std::cell::Cell<usize>,
    /// What each resource waits for on creation, remembered per resource.
    pub dependencies: crate::graph::deps::Dependencies,
}

/// Resolution deeper than this is a reference cycle (or absurd nesting).
const MAX_DEPTH: usize = 64;
/// Nodes one top-level resolution may visit.
const MAX_WORK: usize = 100_000;

impl<'g> Ctx<'g> {
    pub fn new(graph: &'g Graph, arena: &'g Arena<Node>) -> Ctx<'g> {
        Ctx {
            graph,
            arena,
            depth: std::cell::Cell::new(0),
            work: std::cell::Cell::new(0),
            dependencies: Default::default(),
        }
    }
}

/// Combinations of alternatives above this are not built; the value becomes unknown.
const MAX_ALTERNATIVES: usize = 64;

impl<'g> Ctx<'g> {
    pub fn display(&self, v: &Val<'g>) -> String {
        match &v.v {
            V::Absent => "(none)".into(),
            V::Unknown(_) => "(unknown)".into(),
            V::Str(s, _) => s.to_string(),
            V::Bool(b) => b.to_string(),
            V::Node(_) => "(object)".into(),
            V::Resource(i) => self.graph.resources[*i].id.clone(),
            V::Text(t, holes) => fill_holes(t, |i| match holes.get(i) {
                Some(h) if !matches!(h.v, V::Text(..)) => format!("${{{}}}", self.display(h)),
                _ => "${...}".to_string(),
            }),
            V::List(items) => items
                .iter()
                .map(|i| self.display(i))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Resolves a node written in resource `owner` to its alternatives.
    pub fn resolve(&self, node: &'g Node, owner: Option<usize>, facts: &Facts) -> Vec<Val<'g>> {
        let depth = self.depth.get();
        if depth == 0 {
            self.work.set(0);
        }
        self.work.set(self.work.get() + 1);
        if depth >= MAX_DEPTH || self.work.get() > MAX_WORK {
            let why = "a reference cycle, or too many alternatives to follow";
            return vec![
                Val {
                    facts: facts.clone(),
                    ..Val::unknown(why)
                }
                .at(node.span.clone()),
            ];
        }
        self.depth.set(depth + 1);
        let mut out = self.resolve_inner(node, owner, facts);
        self.depth.set(depth);
        if out.len() > MAX_ALTERNATIVES {
            out = vec![Val {
                facts: facts.clone(),
                ..Val::unknown("too many alternatives")
            }];
        }
        for v in &mut out {
            v.owner = v.owner.or(owner);
            // Every value resolved here is written inside `node`, so inside `owner`.
            if owner.is_some() {
                v.site = owner;
            }
            if v.span.is_none() {
                v.span = Some(node.span.clone());
            }
        }
        out
    }

    fn resolve_inner(&self, node: &'g Node, owner: Option<usize>, facts: &Facts) -> Vec<Val<'g>> {
        let with = |v: V<'g>| {
            vec![
                Val {
                    facts: facts.clone(),
                    ..Val::new(v)
                }
                .at(node.span.clone()),
            ]
        };
        if let Some((name, arg)) = node.intrinsic() {
            return self.intrinsic(name, arg, node, owner, facts);
        }
        match &node.kind {
            Kind::Unknown(r) => with(V::Unknown(r.as_str().into())),
            Kind::Scalar(s) if s.is_null() => with(V::Absent),
            Kind::Scalar(s) => with(V::Str(Cow::Borrowed(&s.text), s.plain)),
            Kind::Seq(_) | Kind::Map(_) => with(V::Node(node)),
        }
    }

    fn intrinsic(
        &self,
        name: &str,
        arg: &'g Node,
        node: &'g Node,
        owner: Option<usize>,
        facts: &Facts,
    ) -> Vec<Val<'g>> {
        let span = node.span.clone();
        let unknown = |why: String| {
            vec![
                Val::unknown(&why)
                    .at(span.clone())
                    .assuming(facts)
                    .unwrap_or_else(Val::absent),
            ]
        };
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, span, facts),
                None => unknown("Ref of a computed name".into()),
            },
            "Fn::GetAtt" => {
                let (res, attr) = getatt_parts(arg);
                match res.and_then(|r| self.graph.resource(r)) {
                    // A Terraform argument read back is what it was set to.
                    Some(r) => match attr.and_then(|a| self.graph.argument_reference(r, a)) {
                        Some(set_to) => self.resolve(set_to, Some(r), facts),
                        None => self.resource_val(r, span, facts).into_iter().collect(),
                    },
                    None => unknown("GetAtt of something outside this file".into()),
                }
            }
            "Fn::If" => {
                let items = arg.items();
                let (Some(cond), Some(a), Some(b)) = (
                    items.first().and_then(Node::as_str),
                    items.get(1),
                    items.get(2),
                ) else {
                    return unknown("malformed Fn::If".into());
                };
                let mut out = Vec::new();
                for (branch, holds) in [(a, true), (b, false)] {
                    let Some(f) = self
                        .condition_fact(cond, holds)
                        .and_then(|c| c.merge(facts))
                    else {
                        continue;
                    };
                    out.extend(self.resolve(branch, owner, &f));
                }
                out
            }
            "Fn::FindInMap" => self.find_in_map(arg, owner, facts, span),
            "Fn::Base64" => self.resolve(arg, owner, facts),
            "Fn::Sub" => self.sub(arg, owner, facts, span),
            "Fn::Join" => {
                let items = arg.items();
                let (Some(delim), Some(list)) =
                    (items.first().and_then(Node::as_str), items.get(1))
                else {
                    return unknown("Fn::Join with a computed delimiter".into());
                };
                if !matches!(list.kind, Kind::Seq(_)) {
                    return unknown("Fn::Join over a list known at deploy time".into());
                }
                let mut parts: Vec<Vec<Val<'g>>> = Vec::new();
                for (i, item) in list.items().iter().enumerate() {
                    if i > 0 && !delim.is_empty() {
                        parts.push(vec![Val::str(delim)]);
                    }
                    parts.push(self.resolve(item, owner, facts));
                }
                self.concat(parts, facts, span)
            }
            "Fn::Select" => {
                let items = arg.items();
                let index = items.first().and_then(|i| {
                    self.resolve(i, owner, facts)
                        .first()
                        .and_then(|v| v.as_str().and_then(|s| s.parse::<usize>().ok()))
                });
                match (index, items.get(1)) {
                    (Some(i), Some(list)) if matches!(list.kind, Kind::Seq(_)) => {
                        match list.items().get(i) {
                            Some(item) => self.resolve(item, owner, facts),
                            None => unknown("Fn::Select index out of range".into()),
                        }
                    }
                    _ => unknown("Fn::Select over a list known at deploy time".into()),
                }
            }
            other => unknown(format!("{other} is evaluated at deploy time")),
        }
    }

    fn reference(&self, target: &str, span: Span, facts: &Facts) -> Vec<Val<'g>> {
        if let Some(r) = self.graph.resource(target) {
            return self.resource_val(r, span, facts).into_iter().collect();
        }
        let val = |v: V<'g>| {
            vec![
                Val {
                    facts: facts.clone(),
                    ..Val::new(v)
                }
                .at(span.clone()),
            ]
        };
        if let Some(p) = self.graph.parameter(target) {
            let is_list = p
                .ptype
                .as_deref()
                .is_some_and(|t| t.starts_with("List<") || t == "CommaDelimitedList");
            return match &p.default {
                Some(d) if !is_list => self
                    .resolve(d, None, facts)
                    .into_iter()
                    .map(|mut v| {
                        v.span = Some(span.clone());
                        v
                    })
                    .collect(),
                _ => val(V::Unknown(
                    format!("parameter {target} is given at deploy time").into(),
                )),
            };
        }
        match target {
            "AWS::NoValue" => val(V::Absent),
            "AWS::Partition" => val(V::Str("aws".into(), false)),
            "AWS::URLSuffix" => val(V::Str("amazonaws.com".into(), false)),
            _ => val(V::Unknown(
                format!("{target} is known at deploy time").into(),
            )),
        }
    }

    /// A resource as a value, assuming its own `Condition` holds.
    pub fn resource_val(&self, r: usize, span: Span, facts: &Facts) -> Option<Val<'g>> {
        let own = match &self.graph.resources[r].condition {
            Some(c) => self.condition_fact(c, true)?,
            None => Facts::default(),
        };
        Val {
            owner: Some(r),
            site: Some(r),
            ..Val::new(V::Resource(r))
        }
        .at(span)
        .assuming(&own.merge(facts)?)
    }

    /// The facts "condition `name` is `holds`": written in terms of the condition it negates
    /// when it is a plain `Fn::Not` (so `IsArm` and `IsX86 = !IsArm` contradict each other),
    /// plus the input value an `Fn::Equals [!Ref Input, literal]` condition fixes (so
    /// `Arch = arm64` and `Arch = x86_64` do too). `None` when the condition can never be
    /// `holds`: an `Fn::Equals` of two literals is decided in the template itself.
    pub fn condition_fact(&self, name: &str, holds: bool) -> Option<Facts> {
        let mut name = name;
        let mut holds = holds;
        for _ in 0..8 {
            let negated = self
                .graph
                .conditions
                .get(name)
                .and_then(|c| match c.intrinsic() {
                    Some(("Fn::Not", arg)) => {
                        arg.items().first().and_then(|i| match i.intrinsic() {
                            Some(("Condition", n)) => n.as_str(),
                            _ => None,
                        })
                    }
                    _ => None,
                });
            match negated {
                Some(inner) => {
                    name = inner;
                    holds = !holds;
                }
                None => break,
            }
        }
        let fact = Facts::one(name, if holds { "true" } else { "false" });
        let Some(("Fn::Equals", arg)) = self.graph.conditions.get(name).and_then(Node::intrinsic)
        else {
            return Some(fact);
        };
        fn literal(n: &Node) -> Option<&str> {
            n.intrinsic().is_none().then(|| n.as_str()).flatten()
        }
        let input = |n: &'g Node| match n.intrinsic() {
            Some(("Ref", r)) => r.as_str().filter(|r| self.graph.resource(r).is_none()),
            _ => None,
        };
        match arg.items() {
            [a, b] => match (literal(a), literal(b)) {
                (Some(x), Some(y)) => ((x == y) == holds).then(Facts::default),
                (Some(value), None) | (None, Some(value)) => match input(a).or(input(b)) {
                    Some(p) if holds => fact.merge(&Facts::one(p, value)),
                    // Not equal to one of two allowed values: equal to the other.
                    Some(p) => match self.graph.parameter(p).map(|p| p.allowed.as_slice()) {
                        Some([x, y]) if x == value => fact.merge(&Facts::one(p, y)),
                        Some([x, y]) if y == value => fact.merge(&Facts::one(p, x)),
                        _ => Some(fact),
                    },
                    None => Some(fact),
                },
                _ => Some(fact),
            },
            _ => Some(fact),
        }
    }

    fn find_in_map(
        &self,
        arg: &'g Node,
        owner: Option<usize>,
        facts: &Facts,
        span: Span,
    ) -> Vec<Val<'g>> {
        let items = arg.items();
        let unknown = |why: &str| vec![Val::unknown(why).at(span.clone())];
        let Some(map) = items
            .first()
            .and_then(Node::as_str)
            .and_then(|m| self.graph.mappings.get(m))
        else {
            return unknown("Fn::FindInMap of a mapping not in this file");
        };
        let (Some(k1), Some(k2)) = (items.get(1), items.get(2)) else {
            return unknown("malformed Fn::FindInMap");
        };
        let default = items.get(3).and_then(|d| d.get("DefaultValue"));
        let mut out = Vec::new();
        for (top, f1, lit1) in self.map_keys(map, k1, owner, facts) {
            let Some(inner) = map.get(&top) else {
                out.extend(self.map_default(default, owner, &f1, &span));
                continue;
            };
            for (second, f2, lit2) in self.map_keys(inner, k2, owner, &f1) {
                let Some(v) = inner.get(&second) else {
                    out.extend(self.map_default(default, owner, &f2, &span));
                    continue;
                };
                let keys: Vec<String> = [lit1.then_some(top.clone()), lit2.then(|| second.clone())]
                    .into_iter()
                    .flatten()
                    .collect();
                for mut val in self.resolve(v, owner, &f2) {
                    val.span = Some(span.clone());
                    if !keys.is_empty() {
                        val.keys = Some(Rc::new(keys.clone()));
                    }
                    out.push(val);
                }
            }
        }
        if out.is_empty() {
            unknown("Fn::FindInMap key known at deploy time")
        } else {
            out
        }
    }

    fn map_default(
        &self,
        default: Option<&'g Node>,
        owner: Option<usize>,
        facts: &Facts,
        span: &Span,
    ) -> Vec<Val<'g>> {
        match default {
            Some(d) => self.resolve(d, owner, facts),
            None => vec![Val::unknown("no such key in the mapping").at(span.clone())],
        }
    }

    /// The keys a FindInMap key argument can stand for: a literal, or every key of the level
    /// (each assuming the input it came from) when the key is a deploy-time `Ref`.
    fn map_keys(
        &self,
        level: &'g Node,
        key: &'g Node,
        owner: Option<usize>,
        facts: &Facts,
    ) -> Vec<(String, Facts, bool)> {
        let mut out = Vec::new();
        for v in self.resolve(key, owner, facts) {
            match (&v.v, key.intrinsic()) {
                (V::Str(s, _), _) => {
                    out.push((s.to_string(), v.facts.clone(), key.intrinsic().is_none()))
                }
                (V::Unknown(_), Some(("Ref", name))) => {
                    let input = name.as_str().unwrap_or("?");
                    for e in level.entries() {
                        if let Some(f) = Facts::one(input, &e.key).merge(&v.facts) {
                            out.push((e.key.clone(), f, false));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn sub(&self, arg: &'g Node, owner: Option<usize>, facts: &Facts, span: Span) -> Vec<Val<'g>> {
        let (template, vars) = match &arg.kind {
            Kind::Seq(items) => (items.first(), items.get(1)),
            _ => (Some(arg), None),
        };
        let Some(text) = template.and_then(Node::as_str) else {
            return vec![Val::unknown("Fn::Sub of a computed string").at(span)];
        };
        let mut parts: Vec<Vec<Val<'g>>> = Vec::new();
        for part in sub_parts(text) {
            match part {
                SubPart::Text(t) => parts.push(vec![Val::str(t.into_owned())]),
                SubPart::Var(name, _) => {
                    let vals = match vars.and_then(|m| m.get(name)) {
                        Some(n) => self.resolve(n, owner, facts),
                        None => match name
                            .split_once('.')
                            .and_then(|(res, _)| self.graph.resource(res))
                        {
                            Some(r) => self
                                .resource_val(r, span.clone(), facts)
                                .into_iter()
                                .collect(),
                            None => self.reference(name, span.clone(), facts),
                        },
                    };
                    parts.push(vals);
                }
            }
        }
        self.concat(parts, facts, span)
    }

    /// Concatenates parts, each a set of alternatives, into strings (or text with holes).
    /// A single part is returned as is, so `!Sub "${Role.Arn}"` is the role itself.
    fn concat(&self, parts: Vec<Vec<Val<'g>>>, facts: &Facts, span: Span) -> Vec<Val<'g>> {
        if parts.len() == 1 {
            if let Some(only) = parts.into_iter().next() {
                return only;
            }
            return Vec::new();
        }
        // Each combination is a chain of choices that shares its prefix with the combinations
        // it was extended from: extending one is O(1), so n parts cost O(n), not O(n²).
        let mut combos: Vec<(Option<Rc<Choice>>, Facts)> = vec![(None, facts.clone())];
        for alternatives in &parts {
            let mut next = Vec::new();
            for (prefix, f) in &combos {
                for (i, alt) in alternatives.iter().enumerate() {
                    let Some(f2) = f.merge(&alt.facts) else {
                        continue;
                    };
                    let chain = Choice {
                        alt: i,
                        prev: prefix.clone(),
                    };
                    next.push((Some(Rc::new(chain)), f2));
                }
            }
            if next.len() > MAX_ALTERNATIVES {
                return vec![Val::unknown("too many alternatives").at(span)];
            }
            combos = next;
        }
        combos
            .into_iter()
            .map(|(chain, f)| {
                let mut chosen = Vec::with_capacity(parts.len());
                let mut link = chain.as_deref();
                while let Some(c) = link {
                    chosen.push(c.alt);
                    link = c.prev.as_deref();
                }
                let mut text = String::new();
                let mut holes = Vec::new();
                for (part, &i) in parts.iter().zip(chosen.iter().rev()) {
                    let v = &part[i];
                    match &v.v {
                        V::Str(s, _) => text.push_str(s),
                        V::Absent => {}
                        _ => {
                            text.push_str(&hole(holes.len()));
                            holes.push(v.clone());
                        }
                    }
                }
                let v = if holes.is_empty() {
                    V::Str(Cow::Owned(text), false)
                } else {
                    V::Text(text.into(), Rc::new(holes))
                };
                Val {
                    facts: f,
                    ..Val::new(v)
                }
                .at(span.clone())
            })
            .collect()
    }

    /// Does a resource carry this name (or an ARN ending in it)? Its name property is
    /// resolved (a parameter default counts, as everywhere); `None` when the name is known
    /// only at deploy time, `false` when it has none (a generated name matches no literal).
    pub fn resource_named(&self, r: usize, name: &str) -> Option<bool> {
        let res = &self.graph.resources[r];
        let wanted = names::name_in_reference(name);
        if let Some(own) = names::literal_name(res) {
            return Some(own == wanted);
        }
        let Some(node) =
            names::name_property(&res.rtype).and_then(|p| res.properties.as_ref()?.get(p))
        else {
            return Some(false);
        };
        let mut answer = None;
        for v in self.resolve(node, Some(r), &Facts::default()) {
            let this = match &v.v {
                V::Str(s, _) => s.as_ref() == wanted,
                V::Absent => false,
                _ => return None,
            };
            if answer.is_some_and(|a| a != this) {
                return None; // one name under one condition, another under the other
            }
            answer = Some(this);
        }
        answer
    }

    /// A copy of `node` with every intrinsic function in it resolved, for code that reads
    /// plain trees (IAM policy documents): literals stay, `AWS::NoValue` drops the entry or
    /// item, text with deploy-time parts keeps them as holes (U+E000 index U+E001), and a
    /// value known only at deploy time, a resource (its name or ARN is), or one that differs
    /// between alternatives becomes `Kind::Unknown`.
    pub fn resolved_tree(&self, node: &'g Node, owner: Option<usize>, facts: &Facts) -> Node {
        self.resolved_part(node, owner, facts)
            .unwrap_or_else(|| Node::unknown(node.span.clone(), "no value"))
    }

    fn resolved_part(&self, node: &'g Node, owner: Option<usize>, facts: &Facts) -> Option<Node> {
        if node.intrinsic().is_some() {
            let vals = self.resolve(node, owner, facts);
            let mut parts = vals.iter().map(|v| self.value_tree(v, &node.span));
            let first = parts.next().flatten();
            // Alternatives that differ (two branches of an `Fn::If`) are not one tree.
            let same = |other: Option<Node>| match (&first, other) {
                (Some(a), Some(b)) => a.kind == b.kind,
                (None, None) => true,
                _ => false,
            };
            return if parts.all(same) {
                first
            } else {
                Some(Node::unknown(
                    node.span.clone(),
                    "differs between conditions",
                ))
            };
        }
        let span = node.span.clone();
        Some(match &node.kind {
            Kind::Map(entries) => Node::map(
                span,
                entries
                    .iter()
                    .filter_map(|e| {
                        // A policy's resources name roles of the file by ARN text, built as
                        // the ARN of a role being asked about is.
                        let value: &'g Node = match e.key.as_str() {
                            "Resource" | "NotResource" => arn::with_resource_arns(self, &e.value)
                                .map_or(&e.value, |n| self.arena.alloc(n)),
                            _ => &e.value,
                        };
                        Some(crate::node::Entry {
                            key: e.key.clone(),
                            key_span: e.key_span.clone(),
                            value: self.resolved_part(value, owner, facts)?,
                        })
                    })
                    .collect(),
            ),
            Kind::Seq(items) => Node {
                span,
                kind: Kind::Seq(
                    items
                        .iter()
                        .filter_map(|i| self.resolved_part(i, owner, facts))
                        .collect(),
                ),
            },
            _ => node.clone(),
        })
    }

    /// One resolved value as a tree; `None` for an absent one.
    fn value_tree(&self, v: &Val<'g>, span: &Span) -> Option<Node> {
        let unknown = |why: &str| Some(Node::unknown(span.clone(), why));
        match &v.v {
            V::Absent => None,
            V::Str(s, plain) => Some(Node::scalar(span.clone(), s.as_ref(), *plain)),
            V::Bool(b) => Some(Node::scalar(span.clone(), b.to_string(), true)),
            V::Text(t, _) => Some(Node::scalar(span.clone(), t.as_ref(), false)),
            V::Node(n) => self.resolved_part(n, v.owner, &v.facts),
            V::Resource(_) => unknown("a resource's name or ARN, known at deploy time"),
            V::Unknown(why) => unknown(why),
            V::List(_) => unknown("a computed list"),
        }
    }
}

/// One choice of a combination being built by `Ctx::concat`: the alternative taken for the
/// latest part, and the choices for the parts before it.
struct Choice {
    alt: usize,
    prev: Option<Rc<Choice>>,
}

/// Drops a chain link by link: the default drop would recurse once per part.
impl Drop for Choice {
    fn drop(&mut self) {
        let mut prev = self.prev.take();
        while let Some(rc) = prev {
            match Rc::try_unwrap(rc) {
                Ok(mut c) => prev = c.prev.take(),
                Err(_) => break,
            }
        }
    }
}
