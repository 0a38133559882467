//! Expression evaluation: every expression yields a set of alternative values; conditions
//! yield booleans (or unknowns) that keep the facts they depend on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::dsl::Program;
use crate::dsl::ast::{CmpOp, Expr, ExprKind, PathStep};
use crate::engine::env::Env;
use crate::engine::quantify::quantify;
use crate::engine::{builtins, refs};
use crate::graph::intrinsic::truthiness;
use crate::graph::resolve::Ctx;
use crate::graph::value::{Facts, V, Val};
use crate::node::Kind;

pub struct Eval<'a, 'g> {
    pub ctx: &'a Ctx<'g>,
    pub program: &'a Program,
    /// Results of relation and built-in calls by their arguments: both are pure, and rules
    /// ask the same question of the same resource many times (every service of a cluster
    /// asks where the cluster's instances come from).
    /// (By name first: a hit then needs no copy of the name. Keys are hashed with foldhash,
    /// not SipHash: they come from the program and the file, and hashing them was a tenth of
    /// the evaluation.)
    memo: RefCell<foldhash::HashMap<String, foldhash::HashMap<Vec<ArgKey>, Vals<'g>>>>,
    /// Results of calls whose arguments use no variable, by the call's place in the program:
    /// they are the same in every row (`count(resources("AWS::ECS::Cluster"))` asked for each
    /// launch template would otherwise cost the number of clusters each time).
    constants: RefCell<foldhash::HashMap<*const Expr, Vals<'g>>>,
}

/// The identity of an argument value, for `Eval::memo`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ArgKey {
    Absent,
    Resource(usize),
    Str(String),
    Bool(bool),
    Node(usize),
}

impl ArgKey {
    /// Only plain values without facts are keys: facts would change the answer.
    fn of(v: &Val<'_>) -> Option<ArgKey> {
        if !v.facts.is_empty() || v.keys.is_some() {
            return None;
        }
        Some(match &v.v {
            V::Absent => ArgKey::Absent,
            V::Resource(r) => ArgKey::Resource(*r),
            V::Str(s, _) => ArgKey::Str(s.to_string()),
            V::Bool(b) => ArgKey::Bool(*b),
            V::Node(n) => ArgKey::Node(*n as *const crate::node::Node as usize),
            _ => return None,
        })
    }
}

/// Most values one expression may have.
const MAX_VALUES: usize = 65_536;

/// A set of values; never empty (`Absent` stands for nothing).
pub type Vals<'g> = Vec<Val<'g>>;

fn or_absent(v: Vals<'_>) -> Vals<'_> {
    if v.is_empty() { vec![Val::absent()] } else { v }
}

impl<'a, 'g> Eval<'a, 'g> {
    pub fn new(ctx: &'a Ctx<'g>, program: &'a Program) -> Eval<'a, 'g> {
        Eval {
            ctx,
            program,
            memo: RefCell::default(),
            constants: RefCell::default(),
        }
    }

    pub fn eval(&self, e: &Expr, env: &Env<'g>) -> Vals<'g> {
        let vals = or_absent(self.eval_inner(e, env));
        // Alternatives can multiply at each step (a diamond of relations doubles them per
        // level): past this many the answer is unknown, so work stays bounded.
        if vals.len() > MAX_VALUES {
            return vec![Val::unknown("too many alternatives")];
        }
        vals
    }

    fn eval_inner(&self, e: &Expr, env: &Env<'g>) -> Vals<'g> {
        match &e.kind {
            ExprKind::Str(s) => vec![Val::str(s.cow())],
            ExprKind::Num(n) => vec![Val::new(V::Str(n.cow(), true))],
            ExprKind::Bool(b) => vec![Val::bool(*b)],
            ExprKind::Null => vec![Val::absent()],
            ExprKind::List(items) => {
                let vals = items
                    .iter()
                    .flat_map(|i| self.eval(i, env))
                    .filter(|v| !v.is_absent())
                    .collect();
                vec![Val::new(V::List(Rc::new(vals)))]
            }
            ExprKind::Var(name) => env.get(name).cloned().into_iter().collect(),
            ExprKind::Call(name, args) if args.iter().all(uses_no_variable) => {
                let key: *const Expr = e;
                if let Some(hit) = self.constants.borrow().get(&key) {
                    return hit.clone();
                }
                let vals = self.call(name, args, env);
                self.constants.borrow_mut().insert(key, vals.clone());
                vals
            }
            ExprKind::Call(name, args) => self.call(name, args, env),
            ExprKind::Path(base, steps) => {
                let mut vals = self.eval(base, env);
                for step in steps {
                    vals = or_absent(vals.into_iter().flat_map(|v| self.step(v, step)).collect());
                }
                vals
            }
            ExprKind::Forward(base, ty) => self
                .eval(base, env)
                .into_iter()
                .flat_map(|v| refs::follow(self.ctx, v, ty.as_ref().map(|t| t.name.as_str())))
                .collect(),
            ExprKind::Back(base, ty, path) => self
                .eval(base, env)
                .into_iter()
                .flat_map(|v| {
                    let ty = ty.as_ref().map(|t| t.name.as_str());
                    refs::referrers(self.ctx, v, ty, path.as_deref())
                })
                .collect(),
            ExprKind::Else(items) => {
                for item in items {
                    let vals = self.eval(item, env);
                    if vals.iter().any(|v| !v.is_absent()) {
                        return vals;
                    }
                }
                vec![Val::absent()]
            }
            ExprKind::Alt(items) => {
                let all: Vals<'g> = items.iter().flat_map(|i| self.eval(i, env)).collect();
                let present: Vals<'g> = all.iter().filter(|v| !v.is_absent()).cloned().collect();
                if present.is_empty() {
                    all.into_iter().take(1).collect()
                } else {
                    present
                }
            }
            ExprKind::Guard(value, cond) => {
                let mut out = Vec::new();
                for c in self.eval(cond, env) {
                    match c.truth() {
                        Some(true) => out.extend(
                            self.eval(value, env)
                                .into_iter()
                                .filter_map(|v| v.assuming(&c.facts)),
                        ),
                        Some(false) => {}
                        None => out.push(Val {
                            facts: c.facts.clone(),
                            ..Val::unknown("condition known at deploy time")
                        }),
                    }
                }
                out
            }
            ExprKind::Not(inner) => self
                .eval(inner, env)
                .into_iter()
                .map(|v| {
                    let facts = v.facts.clone();
                    let v2 = match v.truth() {
                        Some(b) => V::Bool(!b),
                        None => V::Unknown("unknown".into()),
                    };
                    Val {
                        facts,
                        ..Val::new(v2)
                    }
                })
                .collect(),
            ExprKind::And(items) => self.logic(items, env, true),
            ExprKind::Or(items) => self.logic(items, env, false),
            ExprKind::Cmp(a, op, b) => self.compare(a, *op, b, env),
            ExprKind::Quant(q, var, over, cond) => {
                let mut truths = Vec::new();
                for v in self.eval(over, env) {
                    if v.is_absent() {
                        continue;
                    }
                    let inner = env.with(var, v.clone());
                    for t in self.eval(cond, &inner) {
                        if let Some(t) = t.assuming(&v.facts) {
                            truths.push(t);
                        }
                    }
                }
                quantify(*q, &truths)
            }
        }
    }

    /// `and` (`all` true) or `or` over every compatible combination of alternatives.
    fn logic(&self, items: &[Expr], env: &Env<'g>, all: bool) -> Vals<'g> {
        let mut acc: Vec<(Option<bool>, Facts)> = vec![(Some(all), Facts::default())];
        for item in items {
            let vals = self.eval(item, env);
            let mut next = Vec::new();
            for (t, f) in &acc {
                // Short-circuit: a decided combination needs no more operands.
                if *t == Some(!all) {
                    next.push((*t, f.clone()));
                    continue;
                }
                for v in &vals {
                    let Some(f2) = f.merge(&v.facts) else {
                        continue;
                    };
                    let entry = match (t, v.truth()) {
                        // The deciding operand alone is why: `x or true` holds whatever x
                        // assumed, so its facts are not carried into the result.
                        (_, Some(b)) if b != all => (Some(b), v.facts.clone()),
                        (Some(x), Some(_)) => (Some(*x), f2),
                        _ => (None, f2),
                    };
                    if !next.contains(&entry) {
                        next.push(entry);
                    }
                }
            }
            acc = next;
        }
        acc.into_iter()
            .map(|(t, f)| {
                let v = match t {
                    Some(b) => V::Bool(b),
                    None => V::Unknown("unknown".into()),
                };
                Val {
                    facts: f,
                    ..Val::new(v)
                }
            })
            .collect()
    }

    fn compare(&self, a: &Expr, op: CmpOp, b: &Expr, env: &Env<'g>) -> Vals<'g> {
        let (left, right) = (self.eval(a, env), self.eval(b, env));
        if op == CmpOp::In {
            return left.iter().map(|l| self.member(l, &right)).collect();
        }
        let mut out = Vec::new();
        for l in &left {
            for r in &right {
                let Some(facts) = l.facts.merge(&r.facts) else {
                    continue;
                };
                let t = match op {
                    CmpOp::Eq => self.equal(l, r),
                    CmpOp::Ne => self.equal(l, r).map(|b| !b),
                    CmpOp::Matches => matches(l, r),
                    CmpOp::In => None,
                };
                let v = match t {
                    Some(b) => V::Bool(b),
                    None => V::Unknown("unknown".into()),
                };
                out.push(Val {
                    facts,
                    ..Val::new(v)
                });
            }
        }
        out
    }

    /// Is `item` one of `set` (the items of a list value, or the alternatives)?
    fn member(&self, item: &Val<'g>, set: &Vals<'g>) -> Val<'g> {
        let items: Vec<&Val<'g>> = set
            .iter()
            .flat_map(|v| match &v.v {
                V::List(l) => l.iter().collect::<Vec<_>>(),
                _ => vec![v],
            })
            .collect();
        let mut unknown = false;
        for s in items {
            match self.equal(item, s) {
                Some(true) => {
                    return Val {
                        facts: item.facts.clone(),
                        ..Val::bool(true)
                    };
                }
                None => unknown = true,
                Some(false) => {}
            }
        }
        let v = if unknown {
            V::Unknown("unknown".into())
        } else {
            V::Bool(false)
        };
        Val {
            facts: item.facts.clone(),
            ..Val::new(v)
        }
    }

    /// Three-valued equality: `None` when it cannot be known before deployment.
    pub fn equal(&self, a: &Val<'g>, b: &Val<'g>) -> Option<bool> {
        use V::*;
        match (&a.v, &b.v) {
            (Unknown(_), _) | (_, Unknown(_)) | (Text(..), _) | (_, Text(..)) => None,
            (Absent, Absent) => Some(true),
            (Absent, _) | (_, Absent) => Some(false),
            (Str(x, px), Str(y, py)) => Some(x == y || scalar_eq(x, *px, y, *py)),
            (Bool(x), Str(s, p)) | (Str(s, p), Bool(x)) => truthiness(s, *p).map(|y| y == *x),
            (Bool(x), Bool(y)) => Some(x == y),
            (Resource(x), Resource(y)) => Some(x == y),
            (Resource(r), Str(s, _)) | (Str(s, _), Resource(r)) => self.ctx.resource_named(*r, s),
            (Node(x), Node(y)) => Some(std::ptr::eq(*x, *y) || **x == **y),
            (List(x), List(y)) => {
                if x.len() != y.len() {
                    return Some(false);
                }
                let mut all = Some(true);
                for (i, j) in x.iter().zip(y.iter()) {
                    match self.equal(i, j) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            _ => Some(false),
        }
    }

    fn call(&self, name: &str, args: &[Expr], env: &Env<'g>) -> Vals<'g> {
        let vals: Vec<Vals<'g>> = args.iter().map(|a| self.eval(a, env)).collect();
        let Some(rel) = self.program.relations.get(name) else {
            return self.memoized(name, vals, |vals| builtins::call(self.ctx, name, vals));
        };
        // One value per parameter: the body evaluated with them bound, remembered.
        let bound = |vals: Vec<Vals<'g>>| {
            self.memoized(name, vals, |vals| {
                let env: Env<'g> = rel
                    .params
                    .iter()
                    .cloned()
                    .zip(vals.into_iter().flatten())
                    .collect();
                self.eval(&rel.body, &env)
            })
        };
        // One value per argument, the usual case, is one combination, bound without copies.
        if vals.iter().all(|a| a.len() == 1) {
            return bound(vals);
        }
        // Bind each parameter to each value of its argument, in every combination.
        let mut combos: Vec<Vec<Val<'g>>> = vec![Vec::new()];
        for arg in &vals {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    arg.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push(v.clone());
                        c
                    })
                })
                .collect();
        }
        combos
            .into_iter()
            .flat_map(|combo| bound(combo.into_iter().map(|v| vec![v]).collect()))
            .collect()
    }

    /// `compute(args)`, remembered when every argument is one plain value.
    fn memoized(
        &self,
        name: &str,
        args: Vec<Vals<'g>>,
        compute: impl FnOnce(Vec<Vals<'g>>) -> Vals<'g>,
    ) -> Vals<'g> {
        let key: Option<Vec<ArgKey>> = args
            .iter()
            .map(|a| match a.as_slice() {
                [one] => ArgKey::of(one),
                _ => None,
            })
            .collect();
        let Some(key) = key else {
            return compute(args);
        };
        if let Some(hit) = self.memo.borrow().get(name).and_then(|m| m.get(&key)) {
            return hit.clone();
        }
        let result = compute(args);
        self.memo
            .borrow_mut()
            .entry(name.to_string())
            .or_default()
            .insert(key, result.clone());
        result
    }

    /// One path step from one value.
    fn step(&self, v: Val<'g>, step: &PathStep) -> Vals<'g> {
        let ctx = self.ctx;
        let keep = |vals: Vals<'g>, v: &Val<'g>| -> Vals<'g> {
            vals.into_iter()
                .filter_map(|x| {
                    let x = x.owned_by(v.owner);
                    let keys = x.keys.clone().or(v.keys.clone());
                    let mut x = x.assuming(&v.facts)?;
                    x.keys = keys;
                    Some(x)
                })
                .collect()
        };
        match (&v.v, step) {
            (V::Absent | V::Unknown(_), _) => vec![v],
            (V::Resource(r), PathStep::Field(k)) => {
                let props = ctx.graph.resources[*r].properties.as_ref();
                match props.and_then(|p| p.get(k)) {
                    Some(n) => keep(ctx.resolve(n, Some(*r), &Facts::default()), &v),
                    None => match props.and_then(|p| ctx.graph.unmapped(p, k)) {
                        Some(why) => vec![Val::unknown(&why).owned_by(Some(*r))],
                        None => vec![
                            Val {
                                span: None,
                                ..Val::absent()
                            }
                            .owned_by(Some(*r)),
                        ],
                    },
                }
            }
            (V::Node(n), PathStep::Field(k)) => match &n.kind {
                Kind::Map(_) => match n.get(k) {
                    Some(child) => keep(ctx.resolve(child, v.owner, &Facts::default()), &v),
                    None => match ctx.graph.unmapped(n, k) {
                        Some(why) => vec![Val::unknown(&why).owned_by(v.owner)],
                        None => vec![Val::absent().owned_by(v.owner)],
                    },
                },
                // A key on a list applies to each item, as in `Statement.Action`.
                Kind::Seq(items) => items
                    .iter()
                    .flat_map(|i| ctx.resolve(i, v.owner, &v.facts))
                    .flat_map(|item| self.step(item, step))
                    .collect(),
                _ => vec![Val::absent()],
            },
            (V::Node(n), PathStep::AnyIndex) => match &n.kind {
                Kind::Seq(items) => keep(
                    items
                        .iter()
                        .flat_map(|i| ctx.resolve(i, v.owner, &Facts::default()))
                        .collect(),
                    &v,
                ),
                _ => vec![v],
            },
            (V::Node(n), PathStep::Index(i)) => match n.items().get(*i) {
                Some(item) => keep(ctx.resolve(item, v.owner, &Facts::default()), &v),
                None => vec![Val::absent()],
            },
            (V::Node(n), PathStep::Values) => keep(
                n.entries()
                    .iter()
                    .flat_map(|e| ctx.resolve(&e.value, v.owner, &Facts::default()))
                    .collect(),
                &v,
            ),
            (V::Node(n), PathStep::Descend(k)) => {
                let mut found = Vec::new();
                descend(n, k, &mut found);
                keep(
                    found
                        .into_iter()
                        .flat_map(|n| ctx.resolve(n, v.owner, &Facts::default()))
                        .collect(),
                    &v,
                )
            }
            (V::List(items), PathStep::AnyIndex) => items.iter().cloned().collect(),
            (V::List(items), PathStep::Index(i)) => items.get(*i).cloned().into_iter().collect(),
            // A scalar where a list is allowed stands for a one-item list (`Action: "s3:*"`).
            (
                V::Str(..) | V::Resource(_) | V::Text(..),
                PathStep::AnyIndex | PathStep::Index(0),
            ) => vec![v],
            _ => vec![Val::absent()],
        }
    }
}

/// Does `e` read no variable, so that it has the same values in every row? (Without
/// recursion: a user's rule may nest expressions deeply.)
fn uses_no_variable(e: &Expr) -> bool {
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        match &e.kind {
            ExprKind::Var(_) | ExprKind::Quant(..) => return false,
            ExprKind::Str(_) | ExprKind::Num(_) | ExprKind::Bool(_) | ExprKind::Null => {}
            ExprKind::List(items)
            | ExprKind::Call(_, items)
            | ExprKind::Else(items)
            | ExprKind::And(items)
            | ExprKind::Or(items)
            | ExprKind::Alt(items) => todo.extend(items),
            ExprKind::Path(base, _)
            | ExprKind::Forward(base, _)
            | ExprKind::Back(base, _, _)
            | ExprKind::Not(base) => todo.push(base),
            ExprKind::Cmp(a, _, b) | ExprKind::Guard(a, b) => todo.extend([&**a, &**b]),
        }
    }
    true
}

/// Every value under `node` at key `key`, at any depth.
fn descend<'g>(node: &'g crate::node::Node, key: &str, out: &mut Vec<&'g crate::node::Node>) {
    match &node.kind {
        Kind::Map(entries) => {
            for e in entries {
                if e.key == key {
                    out.push(&e.value);
                }
                descend(&e.value, key, out);
            }
        }
        Kind::Seq(items) => {
            for i in items {
                descend(i, key, out);
            }
        }
        _ => {}
    }
}

/// Scalars compare as CloudFormation does: booleans and numbers by value.
fn scalar_eq(x: &str, px: bool, y: &str, py: bool) -> bool {
    if let (Some(a), Some(b)) = (truthiness(x, px), truthiness(y, py)) {
        return a == b;
    }
    match (x.parse::<f64>(), y.parse::<f64>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn matches(text: &Val<'_>, pattern: &Val<'_>) -> Option<bool> {
    thread_local! {
        // Rule patterns are few and fixed: compile each once per thread.
        static COMPILED: std::cell::RefCell<HashMap<String, Option<regex::Regex>>> = Default::default();
    }
    match (&text.v, &pattern.v) {
        (V::Absent, _) => Some(false),
        (V::Str(s, _), V::Str(p, _)) => COMPILED.with(|c| {
            let mut c = c.borrow_mut();
            let re = c
                .entry(p.to_string())
                .or_insert_with(|| regex::Regex::new(p).ok());
            re.as_ref().map(|re| re.is_match(s))
        }),
        _ => None,
    }
}
