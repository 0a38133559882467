//! Addresses, protocols and port ranges of security group and network ACL rules: CIDR blocks
//! (IPv4 and IPv6) and how they contain or overlap each other, IP protocols written as names
//! or numbers (`-1` for all), and inclusive port ranges.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A CIDR block, IPv4 or IPv6, with its host bits cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    addr: u128,
    len: u8,
}

impl Cidr {
    /// `10.0.0.0/16`, `::/0`; a bare address is a /32 (or /128). `None` for anything else.
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let (v6, addr, max) = if let Ok(a) = addr.parse::<Ipv4Addr>() {
            (false, u128::from(u32::from(a)), 32)
        } else {
            (true, u128::from(addr.parse::<Ipv6Addr>().ok()?), 128)
        };
        let len = len.unwrap_or(max);
        if len > max {
            return None;
        }
        let width = if v6 { 128 } else { 32 };
        Some(Cidr {
            v6,
            addr: addr & mask(len, width),
            len,
        })
    }

    pub fn is_v6(&self) -> bool {
        self.v6
    }

    /// `0.0.0.0/0` or `::/0`.
    pub fn is_any(&self) -> bool {
        self.len == 0
    }

    /// Does this block contain all of `other`?
    pub fn contains(&self, other: &Cidr) -> bool {
        let width = if self.v6 { 128 } else { 32 };
        self.v6 == other.v6
            && self.len <= other.len
            && other.addr & mask(self.len, width) == self.addr
    }

    /// Do the two blocks share an address?
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// Private address space (RFC 1918, shared 100.64.0.0/10, loopback, link-local, IPv6
    /// unique local, loopback and link-local): no public AWS service endpoint has such an
    /// address.
    pub fn is_private(&self) -> bool {
        const PRIVATE: &[&str] = &[
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "::1/128",
            "fc00::/7",
            "fe80::/10",
        ];
        PRIVATE
            .iter()
            .filter_map(|p| Cidr::parse(p))
            .any(|p| p.contains(self))
    }
}

/// The top `len` bits of a `width`-bit address, as a mask.
fn mask(len: u8, width: u32) -> u128 {
    let len = u32::from(len);
    if len == 0 {
        return 0;
    }
    let all: u128 = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    all & !((1u128 << (width - len)) - 1)
}

/// An IP protocol of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `-1` or `all`: every protocol and every port.
    All,
    /// A protocol number (`tcp` is 6, `udp` 17, `icmp` 1, `icmpv6` 58).
    Number(u8),
}

impl Protocol {
    /// A protocol as rules write it: a name, a number, or `-1`/`all`.
    pub fn parse(text: &str) -> Option<Protocol> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "-1" | "all" => Some(Protocol::All),
            "tcp" => Some(Protocol::Number(6)),
            "udp" => Some(Protocol::Number(17)),
            "icmp" => Some(Protocol::Number(1)),
            "icmpv6" => Some(Protocol::Number(58)),
            n => n.parse::<u8>().ok().map(Protocol::Number),
        }
    }

    /// Does a rule with this protocol carry traffic of protocol `want`?
    pub fn covers(self, want: Protocol) -> bool {
        self == Protocol::All || self == want
    }

    /// Do ports mean anything for this protocol (TCP and UDP)?
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Number(6 | 17))
    }
}

/// An inclusive range of ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    pub from: u32,
    pub to: u32,
}

impl Ports {
    /// `443`, or `32768-65535`.
    pub fn parse(text: &str) -> Option<Ports> {
        let text = text.trim();
        let (from, to) = match text.split_once('-') {
            Some((a, b)) if !a.is_empty() => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            _ => {
                let p = text.parse().ok()?;
                (p, p)
            }
        };
        (from <= to && to <= 65535).then_some(Ports { from, to })
    }

    /// A rule's `FromPort`/`ToPort`; `-1` (or `0`..`0` with all protocols) means all ports.
    pub fn of_rule(from: i64, to: i64) -> Option<Ports> {
        if from == -1 || to == -1 {
            return Some(Ports { from: 0, to: 65535 });
        }
        let (from, to) = (u32::try_from(from).ok()?, u32::try_from(to).ok()?);
        (from <= to && to <= 65535).then_some(Ports { from, to })
    }

    pub fn overlaps(&self, other: &Ports) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).expect("a CIDR")
    }

    #[test]
    fn ipv4_blocks_contain_and_overlap() {
        assert!(c("0.0.0.0/0").contains(&c("10.0.1.0/24")));
        assert!(c("10.0.0.0/16").contains(&c("10.0.1.0/24")));
        assert!(!c("10.0.1.0/24").contains(&c("10.0.0.0/16")));
        assert!(c("10.0.1.0/24").overlaps(&c("10.0.0.0/16")));
        assert!(!c("10.1.0.0/16").overlaps(&c("10.0.0.0/16")));
        assert!(c("10.0.0.5").contains(&c("10.0.0.5/32")));
        // Host bits are cleared, as AWS does.
        assert_eq!(c("10.0.3.7/16"), c("10.0.0.0/16"));
    }

    #[test]
    fn ipv6_blocks_are_their_own_family() {
        assert!(c("::/0").contains(&c("2001:db8::/32")));
        assert!(c("2001:db8::/32").contains(&c("2001:db8:1::/48")));
        assert!(!c("::/0").contains(&c("10.0.0.0/8")));
        assert!(!c("0.0.0.0/0").overlaps(&c("2001:db8::/32")));
        assert!(c("2001:db8::/32").is_v6());
    }

    #[test]
    fn not_a_cidr_is_none() {
        assert_eq!(Cidr::parse("pl-12345"), None);
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse(""), None);
    }

    #[test]
    fn private_ranges() {
        assert!(c("10.0.0.0/16").is_private());
        assert!(c("172.20.0.0/16").is_private());
        assert!(!c("52.94.0.0/16").is_private());
        assert!(!c("0.0.0.0/0").is_private());
        assert!(c("fd00::/8").is_private());
        assert!(c("127.0.0.1/32").is_private());
        assert!(c("::/0").is_any() && !c("10.0.0.0/8").is_any());
    }

    #[test]
    fn protocols_by_name_and_number() {
        assert_eq!(Protocol::parse("-1"), Some(Protocol::All));
        assert_eq!(Protocol::parse("TCP"), Protocol::parse("6"));
        assert!(Protocol::All.covers(Protocol::Number(6)));
        assert!(!Protocol::Number(17).covers(Protocol::Number(6)));
        assert_eq!(Protocol::parse("gre"), None);
    }

    #[test]
    fn port_ranges() {
        let https = Ports::parse("443").expect("a port");
        assert!(Ports::of_rule(0, 65535).expect("all").overlaps(&https));
        assert!(Ports::of_rule(-1, -1).expect("all").overlaps(&https));
        assert!(!Ports::of_rule(80, 80).expect("80").overlaps(&https));
        let dynamic = Ports::parse("32768-65535").expect("a range");
        assert!(
            Ports::of_rule(32768, 61000)
                .expect("some")
                .overlaps(&dynamic)
        );
        assert!(!Ports::of_rule(8080, 8080).expect("8080").overlaps(&dynamic));
        assert_eq!(Ports::parse("70000"), None);
    }
}
