//! Reads the binding table, `bindings/aws.toml` (its format is described at its top), into the
//! model, once per process. build.rs embeds it as JSON, which parses faster. A name that
//! resolves to nothing (a decoder, a list) is an error that names the place; the tests load
//! the file, so such an error cannot ship.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::{Binding, Child, Field, Fold, Shape, Variant, decoders};

/// `bindings/aws.toml` as JSON (build.rs).
const JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/bindings.json"));

pub struct Table {
    pub bindings: Vec<Binding>,
    pub folds: Vec<Fold>,
}

pub fn get() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let file = serde_json::from_str(JSON).map_err(|e| e.to_string());
        file.and_then(build)
            .unwrap_or_else(|e| panic!("bindings/aws.toml: {e}"))
    })
}

/// The table of a file in the format of `bindings/aws.toml`. What it builds lives as long as
/// the process (it is built once).
fn build(file: File) -> Result<Table, String> {
    let mut lists = Lists {
        raw: file.lists,
        done: HashMap::new(),
        open: Vec::new(),
    };
    let mut bindings = Vec::new();
    for b in file.binding {
        let fields = lists.fields(b.fields, &b.tf)?;
        let mut children = Vec::new();
        for c in b.child {
            let at = format!("{}.{}", b.tf, c.tf);
            children.push(Child {
                fields: lists.fields(c.fields, &at)?,
                tf: c.tf.leak(),
                cfn: c.cfn.leak(),
                parent: c.parent.leak(),
            });
        }
        let absent: Vec<&'static str> = b.absent.into_iter().map(keep).collect();
        bindings.push(Binding {
            tf: b.tf.leak(),
            cfn: b.cfn.leak(),
            fields,
            children: children.leak(),
            absent: absent.leak(),
            variant: b.variant.map(|v| Variant {
                attribute: v.attribute.leak(),
                equals: v.equals.leak(),
                cfn: v.cfn.leak(),
            }),
            note: b.note.map(keep),
        });
    }
    let mut unused: Vec<&String> = lists.raw.keys().collect();
    unused.sort();
    if !unused.is_empty() {
        let names: Vec<&str> = unused.iter().map(|n| n.as_str()).collect();
        return Err(format!("lists never used: {}", names.join(", ")));
    }
    let folds = file.fold.into_iter().map(|f| Fold {
        tf: f.tf.leak(),
        by: f.by.leak(),
        target: f.target.leak(),
        value: f.value.leak(),
        into: f.into.leak(),
    });
    Ok(Table {
        bindings,
        folds: folds.collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    lists: HashMap<String, Vec<RawField>>,
    #[serde(default)]
    binding: Vec<RawBinding>,
    #[serde(default)]
    fold: Vec<RawFold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    tf: String,
    cfn: String,
    note: Option<String>,
    #[serde(default)]
    absent: Vec<String>,
    variant: Option<RawVariant>,
    fields: Fields,
    #[serde(default)]
    child: Vec<RawChild>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    attribute: String,
    equals: String,
    cfn: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChild {
    tf: String,
    cfn: String,
    parent: String,
    fields: Fields,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFold {
    tf: String,
    by: String,
    target: String,
    value: String,
    into: String,
}

/// One field as written; `Lists::field` checks that its keys make sense together.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    tf: Option<String>,
    cfn: Option<String>,
    include: Option<String>,
    #[serde(default)]
    list: bool,
    #[serde(default)]
    computed: bool,
    #[serde(default)]
    extra: bool,
    decode: Option<String>,
    content: Option<String>,
    block: Option<Fields>,
    blocks: Option<Fields>,
    note: Option<String>,
}

/// Fields written out, or the name of a list of `[lists]`.
enum Fields {
    Named(String),
    Inline(Vec<RawField>),
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of fields or the name of one in [lists]")
            }
            fn visit_str<E>(self, name: &str) -> Result<Fields, E> {
                Ok(Fields::Named(name.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Fields, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(Fields::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// The named lists, each resolved once (a list used in several places is one slice).
struct Lists {
    /// The lists not resolved yet.
    raw: HashMap<String, Vec<RawField>>,
    done: HashMap<String, &'static [Field]>,
    /// The lists being resolved, to tell a list that includes itself.
    open: Vec<String>,
}

impl Lists {
    fn fields(&mut self, fields: Fields, at: &str) -> Result<&'static [Field], String> {
        match fields {
            Fields::Named(name) => self.named(&name, at),
            Fields::Inline(raw) => Ok(self.resolve(raw, at)?.leak()),
        }
    }

    fn named(&mut self, name: &str, at: &str) -> Result<&'static [Field], String> {
        if let Some(fields) = self.done.get(name) {
            return Ok(fields);
        }
        if self.open.iter().any(|n| n == name) {
            return Err(format!("{at}: list `{name}` includes itself"));
        }
        let Some(raw) = self.raw.remove(name) else {
            return Err(format!("{at}: unknown list `{name}`"));
        };
        self.open.push(name.to_string());
        let fields: &'static [Field] = self.resolve(raw, &format!("lists.{name}"))?.leak();
        self.open.pop();
        self.done.insert(name.to_string(), fields);
        Ok(fields)
    }

    fn resolve(&mut self, raw: Vec<RawField>, at: &str) -> Result<Vec<Field>, String> {
        let mut out = Vec::new();
        for f in raw {
            match &f.include {
                Some(name) => {
                    let alone = f.tf.is_none() && f.cfn.is_none() && shape_keys(&f) == 0;
                    if !alone || f.computed || f.extra || f.note.is_some() {
                        return Err(format!("{at}: `include` stands alone in a field"));
                    }
                    out.extend_from_slice(self.named(name, at)?);
                }
                None => out.push(self.field(f, at)?),
            }
        }
        Ok(out)
    }

    fn field(&mut self, f: RawField, at: &str) -> Result<Field, String> {
        let keys = shape_keys(&f);
        let (Some(tf), Some(cfn)) = (f.tf, f.cfn) else {
            return Err(format!(
                "{at}: a field needs `tf` and `cfn` (or is an `include`)"
            ));
        };
        let at = format!("{at}.{tf}");
        if keys > 1 {
            return Err(format!(
                "{at}: at most one of `list`, `decode`, `content`, `block`, `blocks`"
            ));
        }
        let decoder = |name: &str| {
            decoders::named(name).ok_or_else(|| {
                let known: Vec<&str> = decoders::DECODERS.iter().map(|d| d.name).collect();
                format!(
                    "{at}: unknown decoder `{name}` (src/bindings/decoders.rs has {})",
                    known.join(", ")
                )
            })
        };
        let mut shape = match (f.decode, f.content, f.block, f.blocks) {
            (Some(name), ..) => Shape::Decode(decoder(&name)?),
            (_, Some(name), ..) => Shape::Content(decoder(&name)?),
            (_, _, Some(fields), _) => Shape::Block(self.fields(fields, &at)?),
            (.., Some(fields)) => Shape::Blocks(self.fields(fields, &at)?),
            _ if f.list => Shape::List,
            _ => Shape::Value,
        };
        if f.computed {
            shape = Shape::Computed(Box::leak(Box::new(shape)));
        }
        Ok(Field {
            tf: tf.leak(),
            cfn: cfn.leak(),
            shape,
            extra: f.extra,
            note: f.note.map(keep),
        })
    }
}

/// A string of the table, kept for the life of the process.
fn keep(s: String) -> &'static str {
    s.leak()
}

/// How many of the keys that choose a shape a field has.
fn shape_keys(f: &RawField) -> usize {
    [
        f.list,
        f.decode.is_some(),
        f.content.is_some(),
        f.block.is_some(),
        f.blocks.is_some(),
    ]
    .iter()
    .filter(|k| **k)
    .count()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::bindings::{all, cfn_properties, folds};
    use crate::load::types;

    /// Problems with the `cfn` paths of `fields`, built at `place`; a place that
    /// `bindings/cloudformation-properties.txt` does not list goes into `uncovered`.
    fn check_paths(
        fields: &[Field],
        place: &str,
        problems: &mut Vec<String>,
        uncovered: &mut BTreeSet<String>,
    ) {
        for f in fields {
            let segments: Vec<&str> = f.cfn.split('.').collect();
            let mut at = place.to_string();
            for (i, segment) in segments.iter().enumerate() {
                let last = i + 1 == segments.len();
                match cfn_properties(&at) {
                    None => {
                        uncovered.insert(at.clone());
                    }
                    Some(props) if last && f.extra => {
                        if props.contains(segment) {
                            problems.push(format!("{at}: `{segment}` is a property; no `extra`"));
                        }
                    }
                    Some(props) if !props.contains(segment) => {
                        problems.push(format!("{at}: no property `{segment}` ({})", f.tf));
                    }
                    Some(_) => {}
                }
                at = format!("{at}.{segment}");
            }
            if let Shape::Block(inner) | Shape::Blocks(inner) = f.shape.inner() {
                check_paths(inner, &at, problems, uncovered);
            }
        }
    }

    fn is_property(place: &str, name: &str, problems: &mut Vec<String>) {
        if cfn_properties(place).is_some_and(|props| !props.contains(&name)) {
            problems.push(format!("{place}: no property `{name}`"));
        }
    }

    /// Every name of bindings/aws.toml: Terraform types (`aws_*`, `data.aws_*`, each bound or
    /// folded once), CloudFormation types (those of `load::types`; a data source's is a
    /// `Data::` one), and every property path, at the place of the type where the field puts
    /// it, where `bindings/cloudformation-properties.txt` lists that place. `extra` fields are
    /// checked to be no property. Decoder and list names are resolved by loading the table.
    ///
    /// The places the properties file does not list, so not checked (`UNCOVERED`): the types
    /// AWS::EC2::VPCEndpoint, AWS::ECS::TaskDefinition, AWS::IAM::ManagedPolicy,
    /// AWS::IAM::Policy, AWS::IAM::Role and AWS::Logs::LogGroup (adding them would change what
    /// reads as unknown on plans), the `Data::` types of data sources, and the places below
    /// them listed in `UNCOVERED`.
    #[test]
    fn every_name_and_path_of_the_table_exists() {
        const UNCOVERED: &[&str] = &[
            "AWS::AutoScaling::AutoScalingGroup.Tags",
            "AWS::EC2::VPCEndpoint",
            "AWS::ECS::TaskDefinition",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::IAM::Role.Policies",
            "AWS::Logs::LogGroup",
            "Data::EC2::Image",
            "Data::EC2::Image.Filters",
            "Data::SSM::Parameter",
        ];
        let mut problems = Vec::new();
        let mut uncovered = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let tf_types = all()
            .iter()
            .map(|b| b.tf)
            .chain(folds().iter().map(|f| f.tf));
        for tf in tf_types {
            let name = tf.strip_prefix("data.").unwrap_or(tf);
            let word = name.strip_prefix("aws_").is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            });
            if !word {
                problems.push(format!("`{tf}` is no `aws_*` or `data.aws_*` type"));
            }
            if !seen.insert(tf) {
                problems.push(format!("`{tf}` is bound or folded twice"));
            }
        }
        let known = |cfn: &str, data: bool, problems: &mut Vec<String>| {
            let ok = if data {
                cfn.starts_with("Data::") && cfn.split("::").count() == 3
            } else {
                types::is_known(cfn)
            };
            if !ok {
                problems.push(format!("`{cfn}` is no CloudFormation type"));
            }
        };
        for b in all() {
            let data = b.tf.starts_with("data.");
            known(b.cfn, data, &mut problems);
            check_paths(b.fields, b.cfn, &mut problems, &mut uncovered);
            for name in b.absent {
                is_property(b.cfn, name, &mut problems);
            }
            for c in b.children {
                known(c.cfn, false, &mut problems);
                is_property(c.cfn, c.parent, &mut problems);
                check_paths(c.fields, c.cfn, &mut problems, &mut uncovered);
            }
            if let Some(v) = &b.variant {
                known(v.cfn, false, &mut problems);
            }
        }
        for f in folds() {
            known(f.target, false, &mut problems);
            is_property(f.target, f.into, &mut problems);
        }
        assert_eq!(problems, Vec::<String>::new());
        let uncovered: Vec<&str> = uncovered.iter().map(String::as_str).collect();
        assert_eq!(uncovered, UNCOVERED);
    }

    #[test]
    fn every_decoder_of_the_registry_is_used() {
        let mut used = BTreeSet::new();
        fn walk(fields: &[Field], used: &mut BTreeSet<&'static str>) {
            for f in fields {
                match f.shape.inner() {
                    Shape::Decode(d) | Shape::Content(d) => {
                        used.insert(d.name);
                    }
                    Shape::Block(inner) | Shape::Blocks(inner) => walk(inner, used),
                    _ => {}
                }
            }
        }
        for b in all() {
            walk(b.fields, &mut used);
            for c in b.children {
                walk(c.fields, &mut used);
            }
        }
        let registry: BTreeSet<&str> = decoders::DECODERS.iter().map(|d| d.name).collect();
        assert_eq!(used, registry);
        assert_eq!(registry.len(), decoders::DECODERS.len(), "a name twice");
    }

    /// The table of a text in TOML, as build.rs and `get` would read it.
    fn load(text: &str) -> Result<Table, String> {
        toml::from_str(text)
            .map_err(|e| e.to_string())
            .and_then(build)
    }

    fn error(text: &str) -> String {
        match load(text) {
            Ok(_) => panic!("loads: {text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn unknown_names_are_errors_that_say_where() {
        let field =
            |f: &str| format!("[[binding]]\ntf = \"aws_x\"\ncfn = \"AWS::X::Y\"\nfields = [{f}]\n");
        let e = error(&field(r#"{ tf = "a", cfn = "A", decode = "no_such" }"#));
        assert!(e.starts_with("aws_x.a: unknown decoder `no_such`"), "{e}");
        let e = error(&field(r#"{ tf = "a", cfn = "A", block = "no_such" }"#));
        assert_eq!(e, "aws_x.a: unknown list `no_such`");
        let e = error(&field(r#"{ include = "no_such" }"#));
        assert_eq!(e, "aws_x: unknown list `no_such`");
        let e = error(&field(
            r#"{ tf = "a", cfn = "A", list = true, decode = "text" }"#,
        ));
        assert!(e.contains("at most one of"), "{e}");
        let e = error(&field(r#"{ tf = "a", cfn = "A", decoder = "text" }"#));
        assert!(e.contains("unknown field `decoder`"), "{e}");
        let lists = "[lists]\nx = [{ include = \"x\" }]\nunused = []\n";
        let e = error(&format!("{lists}{}", field(r#"{ include = "x" }"#)));
        assert_eq!(e, "lists.x: list `x` includes itself");
        let e = error(&format!("[lists]\nunused = []\n{}", field("")));
        assert_eq!(e, "lists never used: unused");
    }

    /// The TOML reads as the JSON build.rs makes of it (and errors say where, in TOML terms).
    #[test]
    fn the_table_loads() {
        let table = load(include_str!("../../bindings/aws.toml")).expect("bindings/aws.toml loads");
        assert_eq!(table.bindings.len(), all().len());
        assert!(table.bindings.iter().zip(all()).all(|(a, b)| a.tf == b.tf));
    }
}
