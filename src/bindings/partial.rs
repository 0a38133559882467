//! Which parts of the maps a binding builds it decides: a CloudFormation property that the
//! binding does not map reads as unknown in a plan (`graph::Partial`), and a rule file that
//! reads one is told so (`unmapped_by`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::node::Node;

use super::Shape::{Block, Blocks};
use super::{Field, all, folds};

/// The Terraform types whose resources are read as CloudFormation type `cfn` and leave
/// property `path` (`LaunchTemplateData.BlockDeviceMappings`; list indices left out) unmapped,
/// so it reads as unknown in their maps (as `mark_partial` and `Graph::unmapped` decide at
/// lint time); none when one of them maps it, when `path` is no property there (absent), or
/// when nothing is read as `cfn`. A path that stays unknown only where the block holding it
/// is set counts as unmapped.
pub fn unmapped_by(cfn: &str, path: &[&str]) -> Vec<&'static str> {
    if path.is_empty() {
        return Vec::new();
    }
    let mut sources: Vec<(&'static str, &'static [Field], &'static [&'static str])> = Vec::new();
    for b in all() {
        if b.cfn == cfn || b.variant.as_ref().is_some_and(|v| v.cfn == cfn) {
            sources.push((b.tf, b.fields, b.absent));
        }
        for c in b.children.iter().filter(|c| c.cfn == cfn) {
            sources.push((b.tf, c.fields, &[]));
        }
    }
    // A folded-in property is filled from other resources of the plan.
    let folded = folds()
        .iter()
        .any(|f| f.target == cfn && path.first() == Some(&f.into));
    if folded
        || sources.is_empty()
        || !sources.iter().all(|(_, fields, absent)| {
            let fields: Vec<&'static Field> = fields.iter().collect();
            !absent.contains(&path[0]) && unmapped_in(&fields, 0, cfn, path)
        })
    {
        return Vec::new();
    }
    let mut tf: Vec<&'static str> = sources.into_iter().map(|(tf, _, _)| tf).collect();
    tf.dedup();
    tf
}

/// `partial_level`'s decision, made on paths instead of maps: is `path` unmapped at `place`,
/// where `fields` build the map from segment `depth` of their `cfn` paths on?
fn unmapped_in(fields: &[&'static Field], depth: usize, place: &str, path: &[&str]) -> bool {
    let [key, rest @ ..] = path else {
        return false;
    };
    let here: Vec<&'static Field> = fields
        .iter()
        .copied()
        .filter(|f| f.cfn.split('.').nth(depth) == Some(*key))
        .collect();
    if here.is_empty() {
        return cfn_properties(place).is_none_or(|all| all.contains(key));
    }
    let inner_place = format!("{place}.{key}");
    let (ending, deeper): (Vec<_>, Vec<_>) = here
        .into_iter()
        .partition(|f| f.cfn.split('.').count() == depth + 1);
    match (ending.as_slice(), deeper.is_empty()) {
        (_, _) if rest.is_empty() => false,
        ([], false) => unmapped_in(&deeper, depth + 1, &inner_place, rest),
        ([f], true) => {
            match f.shape.inner() {
                Block(inner) | Blocks(inner) => {
                    let fields: Vec<&'static Field> = inner.iter().collect();
                    unmapped_in(&fields, 0, &inner_place, rest)
                }
                // A whole value: what is inside is the plan's own.
                _ => false,
            }
        }
        // A block and wrapped fields at one key: too mixed to tell; say nothing.
        _ => false,
    }
}

/// One map that a binding built, with the keys it maps there and the CloudFormation
/// properties of that place (`graph::Partial`).
pub struct PartialMap<'n> {
    pub node: &'n Node,
    pub keys: Vec<&'static str>,
    pub properties: Option<&'static [&'static str]>,
}

/// The maps of `props` (built by `properties(fields, ...)` for CloudFormation type `rtype`)
/// whose keys `fields` choose: the properties themselves, the wrappers of dotted paths, and
/// the maps of nested blocks. Decoded values and JSON documents are whole, so not among them.
pub fn partial_maps<'n>(
    fields: &'static [Field],
    rtype: &str,
    props: &'n Node,
    out: &mut Vec<PartialMap<'n>>,
) {
    let fields: Vec<&'static Field> = fields.iter().collect();
    partial_level(&fields, 0, rtype, props, out);
}

/// `map`, at `place` (`AWS::ECS::Service.NetworkConfiguration`), holds the paths of `fields`
/// from segment `depth` on (they share the segments before).
fn partial_level<'n>(
    fields: &[&'static Field],
    depth: usize,
    place: &str,
    map: &'n Node,
    out: &mut Vec<PartialMap<'n>>,
) {
    if !map.is_map() || map.intrinsic().is_some() {
        return;
    }
    let segment = |f: &&'static Field| f.cfn.split('.').nth(depth);
    let mut keys: Vec<&'static str> = Vec::new();
    for key in fields.iter().filter_map(segment) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for key in &keys {
        let Some(child) = map.get(key) else { continue };
        let inner_place = format!("{place}.{key}");
        let here: Vec<&'static Field> = fields
            .iter()
            .copied()
            .filter(|f| segment(f) == Some(*key))
            .collect();
        for f in here
            .iter()
            .filter(|f| f.cfn.split('.').count() == depth + 1)
        {
            match f.shape.inner() {
                Block(inner) => partial_maps(inner, &inner_place, child, out),
                Blocks(inner) => {
                    for item in child.items() {
                        partial_maps(inner, &inner_place, item, out);
                    }
                }
                _ => {}
            }
        }
        let deeper: Vec<&'static Field> = here
            .into_iter()
            .filter(|f| f.cfn.split('.').count() > depth + 1)
            .collect();
        if !deeper.is_empty() {
            partial_level(&deeper, depth + 1, &inner_place, child, out);
        }
    }
    out.push(PartialMap {
        node: map,
        keys,
        properties: cfn_properties(place),
    });
}

/// The CloudFormation properties at `place` (`AWS::ECS::Service.DeploymentConfiguration`),
/// from `bindings/cloudformation-properties.txt`; none for a place it does not list.
pub fn cfn_properties(place: &str) -> Option<&'static [&'static str]> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        include_str!("../../bindings/cloudformation-properties.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                Some((words.next()?, words.collect()))
            })
            .collect()
    });
    table.get(place).map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmapped_paths_are_those_plans_read_as_unknown() {
        let by = |cfn: &str, path: &str| unmapped_by(cfn, &path.split('.').collect::<Vec<_>>());
        let lt = "AWS::EC2::LaunchTemplate";
        assert_eq!(by(lt, "TagSpecifications"), ["aws_launch_template"]);
        assert_eq!(
            by(lt, "LaunchTemplateData.BlockDeviceMappings"),
            ["aws_launch_template"]
        );
        assert_eq!(
            by("AWS::ECS::Cluster", "ServiceConnectDefaults"),
            ["aws_ecs_cluster"]
        );
        // Mapped, mapped whole (what is inside is the plan's), or no property (absent).
        for (cfn, path) in [
            (lt, "LaunchTemplateData.UserData"),
            (lt, "LaunchTemplateData.ImageId"),
            (lt, "UserData"),
            (lt, "NoSuchProperty"),
            ("AWS::ECS::Cluster", "ClusterName"),
            (
                "AWS::ECS::Cluster",
                "Configuration.ExecuteCommandConfiguration",
            ),
            ("AWS::ECS::TaskDefinition", "ContainerDefinitions.Image"),
            ("AWS::IAM::Role", "ManagedPolicyArns"),
            // Not read from a plan at all.
            ("AWS::RDS::DBInstance", "Engine"),
        ] {
            assert_eq!(by(cfn, path), Vec::<&str>::new(), "{cfn} {path}");
        }
    }
}
