//! Dependency paths between resources: does creating one resource wait for another?
//! CloudFormation orders creation by `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn` (in
//! properties and metadata); a Terraform plan by `depends_on` and the references of its
//! configuration, which load as the same edges. A literal name or ARN (`EdgeKind::Name`)
//! orders nothing, nor does a resource's `Condition`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::graph::{EdgeKind, Graph, Target};

/// The resources each resource depends on, transitively, computed when first asked and
/// remembered: every resource's set is built once, from the sets of those it reaches that
/// are already known, so asking about every resource of a file stays close to linear in the
/// edges walked.
#[derive(Default)]
pub struct Dependencies {
    memo: RefCell<HashMap<usize, Rc<HashSet<usize>>>>,
}

impl Dependencies {
    /// Is there a chain of ordering edges from `from` to `to` (`from` waits for `to`)?
    pub fn path(&self, graph: &Graph, from: usize, to: usize) -> bool {
        from != to && self.of(graph, from).contains(&to)
    }

    /// Everything `from` waits for.
    fn of(&self, graph: &Graph, from: usize) -> Rc<HashSet<usize>> {
        if let Some(known) = self.memo.borrow().get(&from) {
            return known.clone();
        }
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(r) = stack.pop() {
            for e in graph.edges_from(r) {
                let Target::Resource(to) = e.to else { continue };
                if !orders(&e.kind) || !seen.insert(to) {
                    continue;
                }
                match self.memo.borrow().get(&to) {
                    // Already known: its dependencies join without another walk.
                    Some(known) => seen.extend(known.iter().copied()),
                    None => stack.push(to),
                }
            }
        }
        let set = Rc::new(seen);
        self.memo.borrow_mut().insert(from, set.clone());
        set
    }
}

fn orders(kind: &EdgeKind) -> bool {
    matches!(
        kind,
        EdgeKind::Ref | EdgeKind::GetAtt(_) | EdgeKind::Sub | EdgeKind::DependsOn
    )
}
