//! Sizes of EC2 instance types (vCPUs, memory, architecture, GPUs), so rules can tell whether a
//! task fits on the instances it may be placed on.
//!
//! The data is `instance-types.tsv`, embedded at build time; its header names its source. A type
//! the table does not list is unknown (`None`): it is never guessed from its family.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::helpers::arch::Arch;

const TABLE: &str = include_str!("instance-types.tsv");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceType {
    pub family: &'static str,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub arch: Arch,
    /// `None` where the source's GPU count is not to be relied on (fractional GPUs).
    pub gpus: Option<u32>,
}

/// The size of an instance type such as `m5.large`.
pub fn lookup(name: &str) -> Option<InstanceType> {
    table().get(name).copied()
}

/// Every type of the table, by name.
pub fn table() -> &'static HashMap<&'static str, InstanceType> {
    static TYPES: OnceLock<HashMap<&'static str, InstanceType>> = OnceLock::new();
    TYPES.get_or_init(|| parse(TABLE))
}

/// Rows `type family vcpus memory_mib arch gpus`, tab-separated; `#` lines are comments. A row
/// that does not read is left out (the table test checks that none is).
fn parse(text: &'static str) -> HashMap<&'static str, InstanceType> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(row)
        .collect()
}

fn row(line: &'static str) -> Option<(&'static str, InstanceType)> {
    let mut cols = line.split('\t');
    let name = cols.next()?;
    let family = cols.next()?;
    let vcpus = cols.next()?.parse().ok()?;
    let memory_mib = cols.next()?.parse().ok()?;
    let arch = match cols.next()? {
        "x86_64" => Arch::X86_64,
        "arm64" => Arch::Arm64,
        _ => return None,
    };
    let gpus = match cols.next()? {
        "?" => None,
        n => Some(n.parse().ok()?),
    };
    if cols.next().is_some() {
        return None;
    }
    Some((
        name,
        InstanceType {
            family,
            vcpus,
            memory_mib,
            arch,
            gpus,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::helpers::arch;

    #[test]
    fn every_row_of_the_table_reads() {
        let rows = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(
            table().len(),
            rows,
            "a row of instance-types.tsv does not read"
        );
        assert!(rows > 1000, "the table covers the current families");
    }

    #[test]
    fn known_sizes_read_from_the_table() {
        let m5 = lookup("m5.large").expect("m5.large is listed");
        assert_eq!(
            (m5.vcpus, m5.memory_mib, m5.arch, m5.gpus),
            (2, 8192, Arch::X86_64, Some(0))
        );
        let g = lookup("g4dn.xlarge").expect("g4dn.xlarge is listed");
        assert_eq!((g.vcpus, g.memory_mib, g.gpus), (4, 16384, Some(1)));
        assert_eq!(lookup("m7g.large").map(|t| t.arch), Some(Arch::Arm64));
        assert_eq!(lookup("g6f.large").and_then(|t| t.gpus), None);
        assert_eq!(lookup("m99.large"), None);
        assert_eq!(lookup("m5"), None);
    }

    /// The family lists ECS001 and ECS008 use (`arch::instance_arch`) never contradict the
    /// table: a family they call arm64 or x86_64 has only types of that architecture here.
    #[test]
    fn the_architecture_family_lists_agree_with_the_table() {
        let mut disagree: Vec<String> = table()
            .iter()
            .filter_map(|(name, t)| match arch::instance_arch(name) {
                Some(a) if a != t.arch => Some(format!("{name}: lists say {a}, table {}", t.arch)),
                _ => None,
            })
            .collect();
        disagree.sort();
        assert!(disagree.is_empty(), "{disagree:#?}");
        // Every Graviton family of the table is known to the lists as arm64.
        let mut unknown_arm: Vec<&str> = table()
            .iter()
            .filter(|(name, t)| t.arch == Arch::Arm64 && arch::instance_arch(name).is_none())
            .map(|(_, t)| t.family)
            .collect();
        unknown_arm.sort();
        unknown_arm.dedup();
        assert!(
            unknown_arm.is_empty(),
            "arm64 families missing from arch.rs: {unknown_arm:?}"
        );
    }
}
