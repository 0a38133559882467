//! Terraform → CloudFormation model map: which CloudFormation type a Terraform resource type
//! stands for, and which property each of its attributes becomes.
//!
//! Rules see one model (the CloudFormation one), so the table is the only place that knows
//! Terraform attribute names. The table is data, `bindings/aws.toml` (read by `table`, once per
//! process); conversions that are more than a rename (a JSON string, a bool that
//! CloudFormation spells `ENABLED`, camelCase keys) are decoders it names (`decoders`).
//!
//! Input to the table is a resource's planned values after the plan loader has marked unknown
//! values and put references in (`load::tfplan`); output is a CloudFormation `Properties` map
//! (`convert`). `partial` says which parts of such a map the table decides, so that the rest
//! reads as unknown.

mod convert;
pub mod decoders;
mod partial;
pub mod reference;
mod table;

use crate::node::{Kind, Node};
use crate::source::Span;

pub use convert::properties;
pub use decoders::Decoder;
pub use partial::{PartialMap, cfn_properties, partial_maps, unmapped_by};

/// One Terraform type (`aws_x`, or `data.aws_x` for a data source) and its CloudFormation form.
pub struct Binding {
    pub tf: &'static str,
    pub cfn: &'static str,
    pub fields: &'static [Field],
    /// Inline blocks that CloudFormation models as resources of their own.
    pub children: &'static [Child],
    /// CloudFormation properties that a resource of this type never has, being other forms
    /// of one it maps (`Definition` beside `DefinitionString`): absent, not unknown.
    pub absent: &'static [&'static str],
    /// Another CloudFormation type that a resource of this type is by an attribute.
    pub variant: Option<Variant>,
    pub note: Option<&'static str>,
}

/// `cfn` instead of the binding's type when attribute `attribute` is `equals`
/// (`aws_security_group_rule` of `type = "egress"`).
pub struct Variant {
    pub attribute: &'static str,
    pub equals: &'static str,
    pub cfn: &'static str,
}

/// One attribute. `cfn` may be a dotted path: `LaunchTemplateData.ImageId` puts a top-level
/// Terraform attribute inside a CloudFormation wrapper property.
#[derive(Clone, Copy)]
pub struct Field {
    pub tf: &'static str,
    pub cfn: &'static str,
    pub shape: Shape,
    /// Not a CloudFormation property: kept so that rules see what the plan says.
    pub extra: bool,
    pub note: Option<&'static str>,
}

#[derive(Clone, Copy)]
pub enum Shape {
    /// Copied as it is (null means unset and is dropped).
    Value,
    /// A list of values; a lone value becomes a one-item list.
    List,
    /// A nested block: SDKv2 writes `[{…}]`, the Plugin Framework `{…}`; both become a map.
    Block(&'static [Field]),
    /// A list of nested blocks → a list of maps.
    Blocks(&'static [Field]),
    /// Optional+Computed in the provider: unknown while nothing in the configuration sets it
    /// means "whatever AWS or other resources decide", which CloudFormation spells by leaving
    /// the property out.
    Computed(&'static Shape),
    /// A conversion of a value that a configuration reference may stand for.
    Decode(&'static Decoder),
    /// A conversion of text content (JSON documents, user data). References found in the
    /// configuration are interpolated into such text, so they never replace it.
    Content(&'static Decoder),
}

impl Shape {
    /// The shape under any `Computed`.
    pub fn inner(&self) -> &Shape {
        let mut shape = self;
        while let Shape::Computed(inner) = shape {
            shape = inner;
        }
        shape
    }
}

/// What a decoder sees of one attribute.
pub struct Input<'a> {
    pub value: Option<&'a Node>,
    /// Where a synthesized value points: the attribute's value, else its block.
    pub span: Span,
    /// All attributes of the block the attribute belongs to.
    pub attrs: &'a Node,
    pub conf: Conf<'a>,
    pub tf: &'static str,
}

impl Input<'_> {
    /// The attribute's expression in the plan's `configuration`.
    pub fn expr(&self) -> Option<&Node> {
        self.conf.exprs.and_then(|e| e.get(self.tf))
    }
}

/// The configuration expressions of one block, and whether the configuration was there at all
/// (a plan without `configuration` cannot tell an unset attribute from an unknown one).
#[derive(Clone, Copy)]
pub struct Conf<'a> {
    pub configured: bool,
    pub exprs: Option<&'a Node>,
}

impl<'a> Conf<'a> {
    /// The block-expressions of nested block `tf`, item `i` (an array for list blocks, one
    /// object for single blocks).
    pub fn nested(self, tf: &str, i: usize) -> Conf<'a> {
        let block = self.exprs.and_then(|e| e.get(tf));
        let exprs = match block.map(|b| &b.kind) {
            Some(Kind::Seq(items)) => items.get(i).or(items.first()),
            _ => block,
        };
        Conf {
            configured: self.configured,
            exprs,
        }
    }
}

/// An inline block split off into resources of its own (`aws_route_table.route[]` →
/// `AWS::EC2::Route`), each pointing back at its parent through `parent`.
pub struct Child {
    pub tf: &'static str,
    pub cfn: &'static str,
    pub parent: &'static str,
    pub fields: &'static [Field],
}

/// A resource that CloudFormation has no separate type for, folded into another resource:
/// the value of `value` is appended to property `into` of the `target` resource(s) named by
/// attribute `by` (a reference or a literal name; one or a list).
pub struct Fold {
    pub tf: &'static str,
    pub by: &'static str,
    pub target: &'static str,
    pub value: &'static str,
    pub into: &'static str,
}

/// Every binding, in the order of `bindings/aws.toml`.
pub fn all() -> &'static [Binding] {
    &table::get().bindings
}

/// Every fold of `bindings/aws.toml`.
pub fn folds() -> &'static [Fold] {
    &table::get().folds
}

/// The binding of a Terraform type (`data.` prefixed for data sources).
pub fn binding(tf: &str) -> Option<&'static Binding> {
    all().iter().find(|b| b.tf == tf)
}

/// The CloudFormation type of one Terraform resource: the binding's, or its variant's when
/// the attribute says so (`aws_security_group_rule`'s `type`).
pub fn cfn_type(b: &Binding, attrs: &Node) -> &'static str {
    match &b.variant {
        Some(v) if attrs.get(v.attribute).and_then(Node::as_str) == Some(v.equals) => v.cfn,
        _ => b.cfn,
    }
}

/// Every resource type a plan's resources may be read as: those of the bindings, of the
/// inline blocks they split off, and of their variants.
pub fn cfn_types() -> impl Iterator<Item = &'static str> {
    let variants = all()
        .iter()
        .filter_map(|b| b.variant.as_ref().map(|v| v.cfn));
    all()
        .iter()
        .flat_map(|b| std::iter::once(b.cfn).chain(b.children.iter().map(|c| c.cfn)))
        .chain(variants)
}

/// How configuration references may stand for the planned value at one attribute path
/// (block names, no indices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefMode {
    /// One value: several referenced resources cannot all be it.
    Scalar,
    /// A list: one item per referenced resource.
    List,
    /// Text that references are interpolated into: never replaced.
    Content,
    /// Not in the table: a list when several resources are referenced.
    Any,
}

pub fn ref_mode(tf: &str, path: &[&str]) -> RefMode {
    let Some(b) = binding(tf) else {
        return RefMode::Any;
    };
    match (
        path,
        b.children.iter().find(|c| path.first() == Some(&c.tf)),
    ) {
        ([_, rest @ ..], Some(child)) if !rest.is_empty() => mode_in(child.fields, rest),
        (_, Some(_)) => RefMode::Any,
        (_, None) => mode_in(b.fields, path),
    }
}

fn mode_in(fields: &[Field], path: &[&str]) -> RefMode {
    let [head, rest @ ..] = path else {
        return RefMode::Any;
    };
    fields
        .iter()
        .find(|f| f.tf == *head)
        .map_or(RefMode::Any, |f| shape_mode(&f.shape, rest))
}

fn shape_mode(shape: &Shape, rest: &[&str]) -> RefMode {
    use Shape::{Block, Blocks, Computed, Content, Decode, List, Value};
    match (shape, rest) {
        (Computed(inner), _) => shape_mode(inner, rest),
        (Block(fields) | Blocks(fields), [_, ..]) => mode_in(fields, rest),
        (_, [_, ..]) => RefMode::Any,
        (Value | Decode(_), []) => RefMode::Scalar,
        (List, []) => RefMode::List,
        (Content(_), []) => RefMode::Content,
        (Block(_) | Blocks(_), []) => RefMode::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_modes_follow_the_table() {
        assert_eq!(ref_mode("aws_ecs_service", &["cluster"]), RefMode::Scalar);
        assert_eq!(
            ref_mode("aws_ecs_service", &["network_configuration", "subnets"]),
            RefMode::List
        );
        assert_eq!(
            ref_mode("aws_ecs_task_definition", &["container_definitions"]),
            RefMode::Content
        );
        assert_eq!(
            ref_mode("aws_route_table", &["route", "gateway_id"]),
            RefMode::Scalar
        );
        assert_eq!(ref_mode("aws_s3_bucket", &["bucket"]), RefMode::Any);
    }
}
