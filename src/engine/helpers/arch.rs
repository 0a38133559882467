//! CPU architecture of EC2 instance types and machine images, so rules can compare an
//! instance type with its AMI and with a task definition's `RuntimePlatform`.
//!
//! Facts come from the project reference (aws-facts §4.3, §4.4). Unknown input always gives
//! `None`: a new instance family or an AMI path we do not know must never be guessed as x86.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Arm64,
    /// EC2 Mac instances (`mac1`); EC2 reports them as `x86_64_mac`.
    X86_64Mac,
    /// Apple-silicon Mac instances (`mac2*`); EC2 reports them as `arm64_mac`.
    Arm64Mac,
}

impl Arch {
    /// The spelling ECS uses (`RuntimePlatform.CpuArchitecture` for the first two).
    pub fn as_str(&self) -> &'static str {
        match self {
            Arch::X86_64 => "X86_64",
            Arch::Arm64 => "ARM64",
            Arch::X86_64Mac => "X86_64_MAC",
            Arch::Arm64Mac => "ARM64_MAC",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Graviton (arm64) families, from aws-facts §4.4 (EC2 DescribeInstanceTypes via eksctl's
/// generated table) plus the NVIDIA Grace families listed there.
#[rustfmt::skip]
const ARM64_FAMILIES: &[&str] = &[
    "a1",
    "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gb", "c8gd", "c8gn", "c9g", "c9gd",
    "g5g",
    "hpc7g",
    "i4g", "i8g", "i8ge", "im4gn", "is4gen",
    "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gb", "m8gd", "m8gn", "m9g", "m9gd",
    "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gb", "r8gd", "r8gn",
    "t4g",
    "x2gd", "x8g",
    "p6e-gb200", "p6e-gb300",
];

/// x86_64 families. Deliberately an explicit list: the "no `g` after the generation digit"
/// heuristic of aws-facts §4.4 would call every future family x86, and a wrong guess is worse
/// than "unknown". Mac and high-memory `u-*` families are handled in `instance_arch`.
#[rustfmt::skip]
const X86_64_FAMILIES: &[&str] = &[
    // General purpose
    "t1", "t2", "t3", "t3a",
    "m1", "m2", "m3", "m4", "m5", "m5a", "m5ad", "m5d", "m5dn", "m5n", "m5zn",
    "m6a", "m6i", "m6id", "m6idn", "m6in", "m7a", "m7i", "m7i-flex", "m8a", "m8i", "m8i-flex",
    // Compute optimized
    "c1", "cc1", "cc2", "c3", "c4", "c5", "c5a", "c5ad", "c5d", "c5n",
    "c6a", "c6i", "c6id", "c6in", "c7a", "c7i", "c7i-flex", "c8i", "c8i-flex",
    // Memory optimized
    "cr1", "r3", "r4", "r5", "r5a", "r5ad", "r5b", "r5d", "r5dn", "r5n",
    "r6a", "r6i", "r6id", "r6idn", "r6in", "r7a", "r7i", "r7iz", "r8i", "r8i-flex",
    "x1", "x1e", "x2idn", "x2iedn", "x2iezn", "z1d",
    // Storage optimized
    "hi1", "hs1", "i2", "i3", "i3en", "i4i", "i7i", "i7ie", "d2", "d3", "d3en", "h1",
    // Accelerated computing (p6-b200 hosts are Intel Xeon; the Grace-based p6e are arm64)
    "cg1", "g2", "g3", "g3s", "g4ad", "g4dn", "g5", "g6", "g6e", "g6f", "gr6", "gr6f",
    "p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200",
    "inf1", "inf2", "trn1", "trn1n", "trn2", "dl1", "dl2q", "f1", "f2", "vt1",
    // High performance computing
    "hpc6a", "hpc6id", "hpc7a",
];

/// Architecture of an EC2 instance type such as `m5.large`; `None` when the family is unknown
/// or the text is not `family.size`.
pub fn instance_arch(instance_type: &str) -> Option<Arch> {
    let lower = instance_type.trim().to_ascii_lowercase();
    let (family, size) = lower.split_once('.')?;
    let well_formed =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !well_formed(family) || !well_formed(size) {
        return None;
    }
    if ARM64_FAMILIES.contains(&family) {
        return Some(Arch::Arm64);
    }
    if X86_64_FAMILIES.contains(&family) {
        return Some(Arch::X86_64);
    }
    // Families whose name carries a variable suffix (mac2-m2pro, u-6tb1, u7in-16tb).
    if family == "mac1" {
        return Some(Arch::X86_64Mac);
    }
    if family.starts_with("mac2") {
        return Some(Arch::Arm64Mac);
    }
    // High-memory "u-" families and the Intel-based u7i/u7in/u7inh families.
    if family.starts_with("u-") || family.starts_with("u7i") {
        return Some(Arch::X86_64);
    }
    None
}

/// Architecture of an image given as an SSM parameter path, a CloudFormation dynamic
/// reference `{{resolve:ssm:...}}` or the EC2 form `resolve:ssm:...`. Literal AMI ids and
/// parameter paths we do not recognise give `None`.
pub fn image_arch(image: &str) -> Option<Arch> {
    let path = ssm_parameter_name(image.trim())?;
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segs.as_slice() {
        // ECS-optimized AMIs: arm64 iff a segment is `arm64`; gpu/inf/neuron are x86_64.
        ["aws", "service", "ecs", "optimized-ami", rest @ ..] if !rest.is_empty() => {
            if rest.contains(&"arm64") {
                Some(Arch::Arm64)
            } else if path.contains(['\u{E000}', '$']) {
                // A deploy-time value (placeholder or `${...}`) could be the `arm64` segment.
                None
            } else {
                Some(Arch::X86_64)
            }
        }
        // Bottlerocket: /aws/service/bottlerocket/<variant>/<arch>/...
        ["aws", "service", "bottlerocket", _variant, rest @ ..] => {
            rest.iter().find_map(|s| match *s {
                "arm64" | "aarch64" => Some(Arch::Arm64),
                "x86_64" => Some(Arch::X86_64),
                _ => None,
            })
        }
        // Amazon Linux public parameters name the arch in the last segment.
        ["aws", "service", "ami-amazon-linux-latest", name] => image_name_arch(name),
        _ => None,
    }
}

/// Operating system of an image given as an SSM parameter path (or a dynamic reference to
/// one): `"LINUX"` for the Amazon Linux ECS-optimized AMIs (aws-facts §4.3 lists
/// `amazon-linux`, `amazon-linux-2` and `amazon-linux-2023` under
/// `/aws/service/ecs/optimized-ami/`) and the Bottlerocket ECS variants. Windows ECS AMI paths
/// are not recognised: their list is unverified (aws-facts §4.3), so they stay unknown.
pub fn image_os(image: &str) -> Option<&'static str> {
    let path = ssm_parameter_name(image.trim())?;
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let linux = match segs.as_slice() {
        ["aws", "service", "ecs", "optimized-ami", distro, _, ..] => {
            matches!(
                *distro,
                "amazon-linux" | "amazon-linux-2" | "amazon-linux-2023"
            )
        }
        ["aws", "service", "bottlerocket", variant, _, ..] => variant.starts_with("aws-ecs-"),
        _ => false,
    };
    linux.then_some("LINUX")
}

/// The SSM parameter name inside a dynamic reference, or the text itself when it is a path.
fn ssm_parameter_name(image: &str) -> Option<&str> {
    let inner = match image
        .strip_prefix("{{resolve:ssm:")
        .and_then(|s| s.strip_suffix("}}"))
    {
        Some(inner) => inner,
        None => image.strip_prefix("resolve:ssm:").unwrap_or(image),
    };
    // A parameter may also be given by ARN: arn:aws:ssm:region:account:parameter/aws/...
    let inner = match inner.find(":parameter/") {
        Some(i) if inner.starts_with("arn:") => &inner[i + ":parameter".len()..],
        _ => inner,
    };
    if !inner.starts_with('/') {
        return None;
    }
    // Parameter names never contain ':'; what follows is a version or label.
    Some(inner.split(':').next().unwrap_or(inner))
}

/// Architecture named in an AMI name or name pattern (e.g. `al2023-ami-ecs-hvm-*-arm64`);
/// `None` when no architecture word appears or the words disagree.
pub fn image_name_arch(name: &str) -> Option<Arch> {
    let lower = name.to_ascii_lowercase();
    let mut found: Option<Arch> = None;
    for word in lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let arch = match word {
            "arm64" | "aarch64" => Arch::Arm64,
            "x86_64" | "amd64" => Arch::X86_64,
            "arm64_mac" => Arch::Arm64Mac,
            "x86_64_mac" => Arch::X86_64Mac,
            _ => continue,
        };
        match found {
            Some(prev) if prev != arch => return None,
            _ => found = Some(arch),
        }
    }
    found
}

/// A single word naming an architecture, as used for mapping keys
/// (`Fn::FindInMap [AMIs, !Ref AWS::Region, arm64]`).
pub fn arch_word(word: &str) -> Option<Arch> {
    let lower = word.trim().to_ascii_lowercase();
    match lower.as_str() {
        "arm64" | "aarch64" | "graviton" => Some(Arch::Arm64),
        "x86_64" | "x86-64" | "amd64" | "x86" | "x64" => Some(Arch::X86_64),
        "arm64_mac" => Some(Arch::Arm64Mac),
        "x86_64_mac" => Some(Arch::X86_64Mac),
        // graviton2, graviton3, graviton4 ...
        w if w
            .strip_prefix("graviton")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())) =>
        {
            Some(Arch::Arm64)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(Arch::X86_64.as_str(), "X86_64");
        assert_eq!(Arch::Arm64.as_str(), "ARM64");
        assert_eq!(Arch::X86_64Mac.as_str(), "X86_64_MAC");
        assert_eq!(Arch::Arm64Mac.as_str(), "ARM64_MAC");
        assert_eq!(Arch::Arm64.to_string(), "ARM64");
        assert_eq!(format!("{}", Arch::X86_64), "X86_64");
    }

    #[test]
    fn graviton_instance_types() {
        for t in [
            "t4g.small",
            "c7gn.large",
            "is4gen.xlarge",
            "g5g.xlarge",
            "a1.medium",
            "p6e-gb200.36xlarge",
            "m7g.metal",
            "im4gn.large",
            "x2gd.16xlarge",
            "c8g.metal-24xl",
        ] {
            assert_eq!(instance_arch(t), Some(Arch::Arm64), "{t}");
        }
    }

    #[test]
    fn x86_instance_types() {
        for t in [
            "g5.xlarge",
            "g4dn.xlarge",
            "m5.large",
            "t2.micro",
            "t3a.nano",
            "m7i-flex.large",
            "c5n.18xlarge",
            "r5dn.metal",
            "x2iezn.2xlarge",
            "z1d.large",
            "i3en.24xlarge",
            "p5en.48xlarge",
            "inf2.xlarge",
            "trn1n.32xlarge",
            "u-6tb1.metal",
            "u7in-16tb.224xlarge",
            "hpc7a.96xlarge",
            "p6-b200.48xlarge",
        ] {
            assert_eq!(instance_arch(t), Some(Arch::X86_64), "{t}");
        }
    }

    #[test]
    fn mac_instance_types() {
        assert_eq!(instance_arch("mac2.metal"), Some(Arch::Arm64Mac));
        assert_eq!(instance_arch("mac2-m2pro.metal"), Some(Arch::Arm64Mac));
        assert_eq!(instance_arch("mac1.metal"), Some(Arch::X86_64Mac));
    }

    #[test]
    fn instance_type_parsing_is_forgiving_but_strict_about_shape() {
        assert_eq!(instance_arch("  T4G.Small \n"), Some(Arch::Arm64));
        assert_eq!(instance_arch("M5.LARGE"), Some(Arch::X86_64));
        for bad in [
            "",
            "m5",
            "m5.",
            ".large",
            "t4g small",
            "m5.large.extra",
            "m5 .large",
            "ami-0123456789abcdef0",
            "\u{E000}0\u{E001}",
            "m5.\u{E000}0\u{E001}",
        ] {
            assert_eq!(instance_arch(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unknown_families_are_not_guessed() {
        for t in [
            "zz9.large",
            "m99.large",
            "c9x.large",
            "mac-m4.metal",
            "q1.small",
        ] {
            assert_eq!(instance_arch(t), None, "{t}");
        }
    }

    #[test]
    fn ecs_optimized_paths() {
        let cases = [
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
                Arch::X86_64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
                Arch::Arm64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
                Arch::X86_64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/neuron/recommended",
                Arch::X86_64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2/kernel-5.10/arm64/recommended/image_id",
                Arch::Arm64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2/inf/recommended/image_id",
                Arch::X86_64,
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux/recommended",
                Arch::X86_64,
            ),
        ];
        for (path, arch) in cases {
            assert_eq!(image_arch(path), Some(arch), "{path}");
        }
    }

    #[test]
    fn deploy_time_segments_are_not_guessed() {
        assert_eq!(
            image_arch(
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/\u{E000}0\u{E001}/recommended/image_id"
            ),
            None
        );
        assert_eq!(
            image_arch(
                "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/${Arch}/recommended/image_id}}"
            ),
            None
        );
        assert_eq!(
            image_arch("/aws/service/bottlerocket/aws-ecs-2/\u{E000}0\u{E001}/latest/image_id"),
            None
        );
        // A visible arm64 segment settles it whatever else is unknown.
        assert_eq!(
            image_arch(
                "/aws/service/ecs/optimized-ami/\u{E000}0\u{E001}/arm64/recommended/image_id"
            ),
            Some(Arch::Arm64)
        );
    }

    #[test]
    fn bottlerocket_paths() {
        assert_eq!(
            image_arch("/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_arch("/aws/service/bottlerocket/aws-ecs-1-nvidia/x86_64/latest/image_id"),
            Some(Arch::X86_64)
        );
        assert_eq!(image_arch("/aws/service/bottlerocket/aws-ecs-2"), None);
    }

    #[test]
    fn amazon_linux_paths() {
        assert_eq!(
            image_arch("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_arch("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"),
            Some(Arch::X86_64)
        );
        assert_eq!(
            image_arch("/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"),
            Some(Arch::X86_64)
        );
    }

    #[test]
    fn dynamic_references() {
        assert_eq!(
            image_arch(
                "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id}}"
            ),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_arch(
                "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id:12}}"
            ),
            Some(Arch::X86_64)
        );
        assert_eq!(
            image_arch("resolve:ssm:/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_arch(
                "resolve:ssm:arn:aws:ssm:us-east-1::parameter/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"
            ),
            Some(Arch::Arm64)
        );
    }

    #[test]
    fn unrecognised_images() {
        for image in [
            "ami-0123456789abcdef0",
            "/myteam/ami",
            "{{resolve:ssm:/myteam/arm64/ami}}",
            "resolve:ssm:/myteam/ami",
            "/aws/service/ecs/optimized-ami",
            "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized/image_id",
            "",
            "{{resolve:ssm:}}",
            "\u{E000}0\u{E001}",
        ] {
            assert_eq!(image_arch(image), None, "{image}");
        }
    }

    #[test]
    fn image_operating_systems() {
        for linux in [
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
            "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended/image_id}}",
            "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux/recommended",
            "/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id",
        ] {
            assert_eq!(image_os(linux), Some("LINUX"), "{linux}");
        }
        for unknown in [
            "ami-0123456789abcdef0",
            "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized/image_id",
            // A distribution segment known only at deploy time, or none at all.
            "/aws/service/ecs/optimized-ami/\u{E000}0\u{E001}/recommended/image_id",
            "/aws/service/ecs/optimized-ami/amazon-linux-2023",
            "/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id",
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        ] {
            assert_eq!(image_os(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn ami_names() {
        assert_eq!(
            image_name_arch("al2023-ami-ecs-hvm-*-arm64"),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_name_arch("amzn2-ami-ecs-hvm-*-x86_64-ebs"),
            Some(Arch::X86_64)
        );
        assert_eq!(
            image_name_arch("bottlerocket-aws-ecs-2-aarch64-*"),
            Some(Arch::Arm64)
        );
        assert_eq!(
            image_name_arch("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"),
            Some(Arch::X86_64)
        );
        assert_eq!(
            image_name_arch("amzn-ec2-macos-14.*-arm64_mac"),
            Some(Arch::Arm64Mac)
        );
        assert_eq!(image_name_arch("al2023-ami-ecs-hvm-*"), None);
        assert_eq!(image_name_arch("my-arm64ish-image"), None);
        assert_eq!(
            image_name_arch("^al2023-ami-ecs-hvm-.*-(arm64|x86_64)$"),
            None
        );
        assert_eq!(image_name_arch(""), None);
    }

    #[test]
    fn arch_words() {
        for w in [
            "arm64",
            "ARM64",
            "aarch64",
            "graviton",
            "Graviton3",
            " arm64 ",
        ] {
            assert_eq!(arch_word(w), Some(Arch::Arm64), "{w}");
        }
        for w in ["x86_64", "X86_64", "amd64", "x86"] {
            assert_eq!(arch_word(w), Some(Arch::X86_64), "{w}");
        }
        for w in ["HVM64", "arm", "gravitonX", "us-east-1", "", "x86_64-ebs"] {
            assert_eq!(arch_word(w), None, "{w}");
        }
    }
}
