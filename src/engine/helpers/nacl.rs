//! Network ACL evaluation: which part of some traffic a list of ACL entries allows.
//!
//! An ACL is read in rule-number order and the first entry that matches a packet decides;
//! a packet no entry matches is denied (the `*` rule). Traffic here is a set of packets, all
//! IPv4 addresses of some ranges times a port range, so the answer is whether the ACL lets
//! all of it through, none of it, or only some of it. That is done on rectangles (address
//! range × port range): each entry decides the part of what is still undecided that it
//! covers, and what no entry covers is denied.

/// IP protocol of an entry: `-1` (all) or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    All,
    Number(u8),
}

/// Inclusive range of IPv4 addresses, as numbers.
pub type Addrs = (u32, u32);
/// Inclusive range of ports.
pub type Ports = (u16, u16);

/// One ACL entry, of the direction being evaluated.
#[derive(Clone, Debug)]
pub struct Entry {
    pub number: i64,
    pub protocol: Protocol,
    /// `None` for all ports (protocol `-1`, or one without ports such as ICMP).
    pub ports: Option<Ports>,
    /// `None` for an IPv6 entry: it never matches IPv4 traffic.
    pub addrs: Option<Addrs>,
    pub allow: bool,
}

/// How much of some traffic an ACL lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    All,
    Some,
    None,
}

/// The outcome, and which entries deny part of the traffic (indices into the entries given,
/// in rule-number order); `implicit` when part of it matches no entry.
#[derive(Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub denied_by: Vec<usize>,
    pub implicit: bool,
}

#[derive(Clone, Copy, Debug)]
struct Rect {
    a: (u32, u32),
    p: (u16, u16),
}

/// What `entries` (one direction) do with `protocol` traffic to or from `addrs` on `ports`.
pub fn evaluate(entries: &[Entry], protocol: u8, addrs: &[Addrs], ports: Ports) -> Outcome {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].number);
    let mut open: Vec<Rect> = addrs.iter().map(|&a| Rect { a, p: ports }).collect();
    let (mut allowed, mut denied_by) = (false, Vec::new());
    for i in order {
        let e = &entries[i];
        let Some(a) = e.addrs else { continue };
        if !matches!(e.protocol, Protocol::All) && e.protocol != Protocol::Number(protocol) {
            continue;
        }
        let p = match (e.protocol, e.ports) {
            (Protocol::Number(_), Some(p)) => p,
            _ => (0, u16::MAX),
        };
        let mut rest = Vec::new();
        let mut hit = false;
        for r in open {
            match intersect(r, Rect { a, p }) {
                Some(x) => {
                    hit = true;
                    rest.extend(minus(r, x));
                }
                None => rest.push(r),
            }
        }
        open = rest;
        if hit {
            if e.allow {
                allowed = true;
            } else {
                denied_by.push(i);
            }
        }
        if open.is_empty() {
            break;
        }
    }
    let implicit = !open.is_empty();
    let verdict = match (allowed, implicit || !denied_by.is_empty()) {
        (true, false) => Verdict::All,
        (true, true) => Verdict::Some,
        (false, _) => Verdict::None,
    };
    Outcome {
        verdict,
        denied_by,
        implicit,
    }
}

fn intersect(r: Rect, s: Rect) -> Option<Rect> {
    let a = (r.a.0.max(s.a.0), r.a.1.min(s.a.1));
    let p = (r.p.0.max(s.p.0), r.p.1.min(s.p.1));
    (a.0 <= a.1 && p.0 <= p.1).then_some(Rect { a, p })
}

/// `r` without `x` (a part of it): up to four rectangles.
fn minus(r: Rect, x: Rect) -> Vec<Rect> {
    let mut out = Vec::new();
    if r.a.0 < x.a.0 {
        out.push(Rect {
            a: (r.a.0, x.a.0 - 1),
            p: r.p,
        });
    }
    if x.a.1 < r.a.1 {
        out.push(Rect {
            a: (x.a.1 + 1, r.a.1),
            p: r.p,
        });
    }
    if r.p.0 < x.p.0 {
        out.push(Rect {
            a: x.a,
            p: (r.p.0, x.p.0 - 1),
        });
    }
    if x.p.1 < r.p.1 {
        out.push(Rect {
            a: x.a,
            p: (x.p.1 + 1, r.p.1),
        });
    }
    out
}

/// An IPv4 CIDR block (`10.0.0.0/16`) as an address range; `None` when it is not one.
pub fn ipv4_cidr(text: &str) -> Option<Addrs> {
    let (ip, len) = text.trim().split_once('/')?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let octets: Vec<u8> = ip
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    let base = u32::from_be_bytes([a, b, c, d]);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((base & mask, (base & mask) | !mask))
}

/// The public IPv4 addresses: all but the private, shared, loopback, link-local, multicast
/// and reserved ranges. Where AWS services answer from the internet.
pub fn public_ipv4() -> Vec<Addrs> {
    const NOT_PUBLIC: &[&str] = &[
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
    ];
    let mut holes: Vec<Addrs> = NOT_PUBLIC.iter().filter_map(|c| ipv4_cidr(c)).collect();
    holes.sort();
    let mut out = Vec::new();
    let mut next: u64 = 0;
    for (lo, hi) in holes {
        if u64::from(lo) > next {
            out.push((next as u32, lo - 1));
        }
        next = next.max(u64::from(hi) + 1);
    }
    if next <= u64::from(u32::MAX) {
        out.push((next as u32, u32::MAX));
    }
    out
}

/// A protocol as CloudFormation (`6`, `-1`) or Terraform (`tcp`, `all`) writes it.
pub fn protocol(text: &str) -> Option<Protocol> {
    match text.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Some(Protocol::All),
        "tcp" => Some(Protocol::Number(6)),
        "udp" => Some(Protocol::Number(17)),
        "icmp" => Some(Protocol::Number(1)),
        n => n.parse::<u8>().ok().map(Protocol::Number),
    }
}

/// A port or port range, `443` or `1024-65535`.
pub fn ports(text: &str) -> Option<Ports> {
    let (lo, hi) = text.split_once('-').unwrap_or((text, text));
    let (lo, hi): (u16, u16) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    (lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(number: i64, protocol: &str, ports: Option<Ports>, cidr: &str, allow: bool) -> Entry {
        Entry {
            number,
            protocol: super::protocol(protocol).expect("protocol"),
            ports,
            addrs: ipv4_cidr(cidr),
            allow,
        }
    }

    fn any() -> Vec<Addrs> {
        vec![(0, u32::MAX)]
    }

    #[test]
    fn cidrs_parse_to_ranges_and_bad_ones_do_not() {
        assert_eq!(ipv4_cidr("0.0.0.0/0"), Some((0, u32::MAX)));
        assert_eq!(ipv4_cidr("10.0.0.0/8"), Some((0x0a00_0000, 0x0aff_ffff)));
        assert_eq!(ipv4_cidr("10.1.2.3/32"), Some((0x0a01_0203, 0x0a01_0203)));
        assert_eq!(ipv4_cidr("10.0.0.0/33"), None);
        assert_eq!(ipv4_cidr("::/0"), None);
        assert_eq!(ipv4_cidr("10.0.0/8"), None);
    }

    #[test]
    fn first_match_wins_in_rule_number_order() {
        // Written out of order: the deny (100) comes before the allow (200).
        let acl = [
            entry(200, "-1", None, "0.0.0.0/0", true),
            entry(100, "6", Some((443, 443)), "0.0.0.0/0", false),
        ];
        let out = evaluate(&acl, 6, &any(), (443, 443));
        assert_eq!(out.verdict, Verdict::None);
        assert_eq!(out.denied_by, [1]);
        assert_eq!(evaluate(&acl, 6, &any(), (80, 80)).verdict, Verdict::All);
    }

    #[test]
    fn traffic_no_entry_matches_is_denied() {
        let acl = [entry(100, "tcp", Some((80, 80)), "0.0.0.0/0", true)];
        let out = evaluate(&acl, 6, &any(), (443, 443));
        assert_eq!(out.verdict, Verdict::None);
        assert!(out.implicit && out.denied_by.is_empty());
        assert_eq!(evaluate(&[], 6, &any(), (443, 443)).verdict, Verdict::None);
    }

    #[test]
    fn part_of_a_port_range_or_of_the_addresses_is_some() {
        let acl = [entry(100, "6", Some((32768, 65535)), "0.0.0.0/0", true)];
        assert_eq!(
            evaluate(&acl, 6, &any(), (1024, 65535)).verdict,
            Verdict::Some
        );
        assert_eq!(
            evaluate(&acl, 6, &any(), (40000, 50000)).verdict,
            Verdict::All
        );
        let vpc_only = [entry(100, "-1", None, "10.0.0.0/16", true)];
        assert_eq!(
            evaluate(&vpc_only, 6, &any(), (443, 443)).verdict,
            Verdict::Some
        );
        assert_eq!(
            evaluate(&vpc_only, 6, &public_ipv4(), (443, 443)).verdict,
            Verdict::None
        );
    }

    #[test]
    fn other_protocols_and_ipv6_entries_do_not_match_tcp_over_ipv4() {
        let acl = [
            entry(100, "udp", Some((443, 443)), "0.0.0.0/0", true),
            Entry {
                number: 110,
                protocol: Protocol::All,
                ports: None,
                addrs: None,
                allow: true,
            },
        ];
        assert_eq!(evaluate(&acl, 6, &any(), (443, 443)).verdict, Verdict::None);
    }

    #[test]
    fn public_addresses_leave_out_private_ranges() {
        let public = public_ipv4();
        let inside = |ip: &str| {
            let (a, _) = ipv4_cidr(&format!("{ip}/32")).expect("ip");
            public.iter().any(|&(lo, hi)| lo <= a && a <= hi)
        };
        assert!(inside("52.94.1.1") && inside("8.8.8.8") && inside("172.32.0.1"));
        assert!(!inside("10.1.1.1") && !inside("192.168.0.1") && !inside("172.20.0.1"));
        assert!(!inside("255.255.255.255") && !inside("0.1.2.3"));
    }

    #[test]
    fn protocols_and_ports_in_both_spellings() {
        assert_eq!(protocol("-1"), Some(Protocol::All));
        assert_eq!(protocol("all"), Some(Protocol::All));
        assert_eq!(protocol("TCP"), Some(Protocol::Number(6)));
        assert_eq!(protocol("17"), Some(Protocol::Number(17)));
        assert_eq!(protocol("sctp"), None);
        assert_eq!(ports("443"), Some((443, 443)));
        assert_eq!(ports("1024-65535"), Some((1024, 65535)));
        assert_eq!(ports("70000"), None);
        assert_eq!(ports("90-80"), None);
    }
}
