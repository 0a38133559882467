//! docs/terraform.md, generated from the binding table (see tests/docs.rs).

use std::fmt::Write;

use super::decoders::DECODERS;
use super::{Binding, Field, Shape, all, folds};

const INTRO: &str = "# Terraform bindings

<!-- Generated from bindings/aws.toml by `UPDATE_DOCS=1 cargo test --locked --test docs`: edit that file, not this one. -->

ecslint reads a Terraform plan (`terraform show -json`) as the CloudFormation resources it
stands for, so that one set of rules runs on templates and plans. Each resource of a Terraform
type listed here becomes a resource of its CloudFormation type, and each attribute listed
becomes the property beside it. The table is [`bindings/aws.toml`](../bindings/aws.toml).

What a rule author should know:

- Rules name CloudFormation types and properties only (`AWS::ECS::Service`,
  `NetworkConfiguration.AwsvpcConfiguration.Subnets`); a rule that names a Terraform type is
  refused with the type it is read as. A resource of a Terraform type not listed here keeps its
  Terraform type, which no rule can name. Data sources are read as `Data::` types.
- **A property that the binding does not map is unknown in a plan, not absent**: the plan may
  set it, ecslint cannot see it (`graph`'s partial maps). A `deny` that needs such a property
  never fires on plans, and a rule file of yours that reads one is warned of when it loads
  (see [rules.md](rules.md)). A name that is no property of the type at that place
  ([`bindings/cloudformation-properties.txt`](../bindings/cloudformation-properties.txt)) is
  absent, as in a template, and so are the properties listed as never set.
- What is inside a property mapped whole (a JSON document, a value a decoder builds) is the
  plan's own: absent where the plan has nothing.
- Values known only after apply are unknown. A **computed** attribute (Optional+Computed in the
  provider) that is unknown while the configuration does not set it is left out, as
  CloudFormation leaves out what AWS decides.
- References of the configuration (`aws_subnet.a.id`) stand for the resource they name, as
  `!Ref` and `!GetAtt` do; in **content** (JSON documents, user data) they are text.

Shapes: **value** is copied as it is (null is unset); **list** is a list, a lone value becoming
a one-item list; **block** is a nested block read as a map, **blocks** a list of them;
**decode** and **content** name a [decoder](#decoders). A dotted property
(`LaunchTemplateData.ImageId`) puts an attribute inside a wrapper property. **extra** marks a
property of ecslint's own, not CloudFormation's.

";

/// The whole page.
pub fn page() -> String {
    let mut out = String::from(INTRO);
    out.push_str("| Terraform type | CloudFormation type |\n|---|---|\n");
    for b in all() {
        let _ = writeln!(out, "| [`{}`](#{}) | `{}` |", b.tf, anchor(b.tf), b.cfn);
    }
    for f in folds() {
        let _ = writeln!(out, "| [`{}`](#folds) | folded into `{}` |", f.tf, f.target);
    }
    out.push_str("\n## Bindings\n");
    for b in all() {
        binding(b, &mut out);
    }
    out.push_str(
        "\n## Folds\n\nResources that CloudFormation has no type for, folded into another one.\n\n",
    );
    for f in folds() {
        let _ = writeln!(
            out,
            "- `{}`: its `{}` is added to `{}` of the `{}` that `{}` names (a reference or a name; one or a list).",
            f.tf, f.value, f.into, f.target, f.by
        );
    }
    out.push_str("\n## Decoders\n\nConversions that are more than a rename (src/bindings/decoders.rs).\n\n| decoder | what it does |\n|---|---|\n");
    for d in DECODERS {
        let _ = writeln!(out, "| `{}` | {} |", d.name, cell(d.doc));
    }
    out
}

/// GitHub's anchor of a heading that is just the type.
fn anchor(tf: &str) -> String {
    tf.replace('.', "")
}

fn binding(b: &Binding, out: &mut String) {
    let _ = write!(out, "\n### {}\n\n→ `{}`", b.tf, b.cfn);
    if let Some(v) = &b.variant {
        let _ = write!(
            out,
            ", or `{}` when `{} = \"{}\"`",
            v.cfn, v.attribute, v.equals
        );
    }
    out.push_str("\n\n");
    if let Some(note) = b.note {
        let _ = writeln!(out, "{note}\n");
    }
    table(b.fields, "", out);
    for c in b.children {
        let _ = writeln!(
            out,
            "\nEach `{}` block is a resource of its own, `{}` (address `<{}>.{}[i]`), whose `{}` is the `{}`:\n",
            c.tf, c.cfn, b.tf, c.tf, c.parent, b.tf
        );
        table(c.fields, c.tf, out);
    }
    if !b.absent.is_empty() {
        let names: Vec<String> = b.absent.iter().map(|a| format!("`{a}`")).collect();
        let _ = writeln!(
            out,
            "\nNever set (absent, not unknown): {}.",
            names.join(", ")
        );
    }
}

fn table(fields: &[Field], tf: &str, out: &mut String) {
    out.push_str("| attribute | property | shape | note |\n|---|---|---|---|\n");
    rows(fields, tf, "", out);
}

fn rows(fields: &[Field], tf: &str, cfn: &str, out: &mut String) {
    for f in fields {
        let tf = join(tf, f.tf);
        let cfn = join(cfn, f.cfn);
        let mut shape = String::new();
        if let Shape::Computed(_) = f.shape {
            shape.push_str("computed ");
        }
        shape.push_str(&match f.shape.inner() {
            Shape::Value => "value".to_string(),
            Shape::List => "list".to_string(),
            Shape::Block(_) => "block".to_string(),
            Shape::Blocks(_) => "blocks".to_string(),
            Shape::Decode(d) => format!("decode [`{}`](#decoders)", d.name),
            Shape::Content(d) => format!("content [`{}`](#decoders)", d.name),
            Shape::Computed(_) => unreachable!("inner() is under any Computed"),
        });
        if f.extra {
            shape.push_str(", extra");
        }
        let note = f.note.map(cell).unwrap_or_default();
        let _ = writeln!(out, "| `{tf}` | `{cfn}` | {shape} | {note} |");
        if let Shape::Block(inner) | Shape::Blocks(inner) = f.shape.inner() {
            rows(inner, &tf, &cfn, out);
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Text in a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
