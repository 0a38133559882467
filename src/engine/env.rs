//! The variables bound in a row of a rule, or in a relation's body.

use std::rc::Rc;

use crate::dsl::ast::Str;
use crate::graph::value::Val;

/// Bindings as a shared list, newest first. A rule binds one variable per `let` for every
/// row, and rows fan out from each other: sharing the earlier bindings makes a binding cost
/// one allocation instead of a copy of every variable bound so far. A later binding of a
/// name hides an earlier one.
#[derive(Clone, Default)]
pub struct Env<'g>(Option<Rc<Binding<'g>>>);

struct Binding<'g> {
    name: Str,
    value: Val<'g>,
    rest: Env<'g>,
}

impl<'g> Env<'g> {
    pub fn get(&self, name: &str) -> Option<&Val<'g>> {
        let mut at = self.0.as_deref();
        while let Some(b) = at {
            if b.name == name {
                return Some(&b.value);
            }
            at = b.rest.0.as_deref();
        }
        None
    }

    /// These bindings and `name` bound to `value`. A name of the built-in program is a
    /// borrowed string: binding it copies nothing.
    pub fn with(&self, name: &Str, value: Val<'g>) -> Env<'g> {
        Env(Some(Rc::new(Binding {
            name: name.clone(),
            value,
            rest: self.clone(),
        })))
    }
}

impl<'g> FromIterator<(Str, Val<'g>)> for Env<'g> {
    fn from_iter<I: IntoIterator<Item = (Str, Val<'g>)>>(items: I) -> Env<'g> {
        items
            .into_iter()
            .fold(Env::default(), |env, (name, value)| env.with(&name, value))
    }
}

impl Drop for Env<'_> {
    /// Frees a long list without recursion: each binding is dropped once no other row
    /// shares it.
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(rc) = next {
            next = match Rc::try_unwrap(rc) {
                Ok(mut b) => b.rest.0.take(),
                Err(_) => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_bindings_hide_earlier_ones_and_rows_share_the_rest() {
        let name = |n: &'static str| Str::borrowed(n);
        let base = Env::default().with(&name("a"), Val::str("1"));
        let row1 = base.with(&name("b"), Val::str("2"));
        let row2 = base.with(&name("a"), Val::str("3"));
        let text = |e: &Env, n: &str| match e.get(n).map(|v| &v.v) {
            Some(crate::graph::value::V::Str(s, _)) => Some(s.to_string()),
            _ => None,
        };
        assert_eq!(text(&row1, "a").as_deref(), Some("1"));
        assert_eq!(text(&row1, "b").as_deref(), Some("2"));
        assert_eq!(text(&row2, "a").as_deref(), Some("3"));
        assert_eq!(text(&row2, "b"), None);
        assert_eq!(text(&base, "a").as_deref(), Some("1"));
    }

    #[test]
    fn a_hundred_thousand_bindings_drop_without_overflow() {
        let mut env = Env::default();
        for i in 0..100_000 {
            env = env.with(&format!("v{i}").into(), Val::absent());
        }
        assert!(env.get("v0").is_some());
        drop(env);
    }
}
