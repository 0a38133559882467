//! The `nacl_allows` built-in function; what it does is its `doc`. The reading of a subnet's
//! network ACL from the graph lives here too, for `nacl_denials`; the evaluation itself is
//! `helpers::nacl`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, field, flatten, items};
use crate::engine::helpers::nacl::{self, Addrs, Outcome, Ports, Protocol, Verdict};
use crate::engine::refs::{follow, referrers};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "nacl_allows",
    signature: "nacl_allows(subnet, direction, \"tcp\", ports, peer)",
    args: &[
        ArgKind::Value,
        ArgKind::Literal,
        ArgKind::Literal,
        ArgKind::Value,
        ArgKind::Value,
    ],
    min: 5,
    max: 5,
    aws: true,
    doc: "does the network ACL of a subnet let this traffic through: `direction` `\"egress\"` or `\"ingress\"`, `ports` a port or range (`443`, `\"1024-65535\"`), `peer` one place, all values together (lists opened): IPv4 CIDRs, subnets (their CIDR), or `internet` (every public address)? True when all of it passes, false when none does, unknown when part does. Entries (`AWS::EC2::NetworkAclEntry`, Terraform `aws_network_acl` blocks and `aws_network_acl_rule`) in rule-number order, first match wins, the rest denied; the ACL is the subnet's association (`AWS::EC2::SubnetNetworkAclAssociation`, `aws_network_acl_association`, `subnet_ids`) or else the VPC's default ACL, which allows everything unless the file defines it (`aws_default_network_acl`); unknown for an ACL, VPC, entry or peer it cannot see",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let query = match Query::from_args(ctx, &args) {
        Ok(q) => q,
        Err(why) => return vec![Val::unknown(why)],
    };
    arg(&args, 0)
        .into_iter()
        .map(|subnet| {
            let v = match subnet_outcome(ctx, &subnet, &query) {
                Decided::Outcome(_, _, o) => match o.verdict {
                    Verdict::All => V::Bool(true),
                    Verdict::None => V::Bool(false),
                    Verdict::Some => V::Unknown("the network ACL lets part of it through".into()),
                },
                Decided::AllowAll => V::Bool(true),
                Decided::Absent => V::Absent,
                Decided::Unknown(why) => V::Unknown(why.into()),
            };
            Val { v, ..subnet }
        })
        .collect()
}

/// The traffic asked about.
pub(crate) struct Query {
    egress: bool,
    protocol: u8,
    ports: Ports,
    peers: Vec<Addrs>,
}

impl Query {
    pub(crate) fn from_args<'g>(ctx: &Ctx<'g>, args: &[Vals<'g>]) -> Result<Query, &'static str> {
        let text = |i: usize| {
            let vals = arg(args, i);
            match vals.iter().filter(|v| !v.is_absent()).collect::<Vec<_>>()[..] {
                [one] => one
                    .as_str()
                    .map(str::to_string)
                    .ok_or("a value known at deploy time"),
                _ => Err("not one value"),
            }
        };
        let egress = match text(1)?.as_str() {
            "egress" => true,
            "ingress" => false,
            _ => return Err("direction is egress or ingress"),
        };
        let protocol = match nacl::protocol(&text(2)?) {
            Some(Protocol::Number(n)) => n,
            _ => return Err("not one protocol"),
        };
        let ports = nacl::ports(&text(3)?).ok_or("not a port range")?;
        let mut peers = Vec::new();
        let opened = |v: Val<'g>| flatten(v).into_iter().flat_map(|v| items(ctx, v));
        for v in arg(args, 4).into_iter().flat_map(opened) {
            // A subnet stands for its CIDR block; one not known makes the peer unknown.
            let cidrs = match &v.v {
                V::Resource(r) if ctx.graph.resources[*r].rtype == "AWS::EC2::Subnet" => {
                    let block = field(ctx, &v, "CidrBlock");
                    if block.iter().all(Val::is_absent) {
                        return Err("a subnet without a CIDR block (from an IPAM pool)");
                    }
                    block
                }
                V::Resource(_) => return Err("a peer that is neither a CIDR nor a subnet"),
                _ => vec![v],
            };
            for c in cidrs.into_iter().filter(|c| !c.is_absent()) {
                match c.as_str() {
                    Some("internet") => peers.extend(nacl::public_ipv4()),
                    Some(cidr) => peers.push(nacl::ipv4_cidr(cidr).ok_or("not an IPv4 CIDR")?),
                    None => return Err("a peer known at deploy time"),
                }
            }
        }
        if peers.is_empty() {
            return Err("no peer");
        }
        Ok(Query {
            egress,
            protocol,
            ports,
            peers,
        })
    }
}

/// What the ACL of a subnet does with some traffic.
pub(crate) enum Decided<'g> {
    /// The ACL (a resource), its entries of the direction asked (resource values, in the
    /// order of `Outcome::denied_by`'s indices), and the outcome.
    Outcome(Val<'g>, Vec<Val<'g>>, Outcome),
    AllowAll,
    Absent,
    Unknown(&'static str),
}

impl<'g> Decided<'g> {
    fn outcome(acl: Val<'g>, entries: Vec<(Val<'g>, nacl::Entry)>, q: &Query) -> Decided<'g> {
        let (vals, parsed): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
        let outcome = nacl::evaluate(&parsed, q.protocol, &q.peers, q.ports);
        Decided::Outcome(acl, vals, outcome)
    }
}

pub(crate) fn subnet_outcome<'g>(ctx: &Ctx<'g>, subnet: &Val<'g>, q: &Query) -> Decided<'g> {
    if !matches!(subnet.v, V::Resource(_)) {
        return if subnet.is_absent() {
            Decided::Absent
        } else {
            Decided::Unknown("subnet outside this file")
        };
    }
    let acl = match subnet_acl(ctx, subnet) {
        Ok(Some(acl)) => acl,
        Ok(None) => return Decided::AllowAll,
        Err(why) => return Decided::Unknown(why),
    };
    // Findings point at the ACL's definition, not at the reference that led to it.
    let acl = match acl.v {
        V::Resource(r) => ctx
            .resource_val(r, ctx.graph.resources[r].id_span.clone(), &acl.facts)
            .unwrap_or(acl),
        _ => acl,
    };
    match acl_entries(ctx, &acl, q.egress) {
        Ok(entries) => Decided::outcome(acl, entries, q),
        Err(why) => Decided::Unknown(why),
    }
}

/// The network ACL of a subnet; `None` for the VPC's default ACL when it allows everything.
fn subnet_acl<'g>(ctx: &Ctx<'g>, subnet: &Val<'g>) -> Result<Option<Val<'g>>, &'static str> {
    const ACL: Option<&str> = Some("AWS::EC2::NetworkAcl");
    let mut found: Vec<Val<'g>> = Vec::new();
    let associations = referrers(
        ctx,
        subnet.clone(),
        Some("AWS::EC2::SubnetNetworkAclAssociation"),
        Some("SubnetId"),
    );
    let named = associations
        .iter()
        .filter(|a| !a.is_absent())
        .flat_map(|a| field(ctx, a, "NetworkAclId"))
        .flat_map(|id| follow(ctx, id, ACL));
    let listed = referrers(ctx, subnet.clone(), ACL, Some("SubnetIds[*]"));
    for acl in named.chain(listed).filter(|a| !a.is_absent()) {
        if !matches!(acl.v, V::Resource(_)) {
            return Err("network ACL outside this file");
        }
        if !found.iter().any(|f| same_resource(f, &acl)) {
            found.push(acl);
        }
    }
    match found.len() {
        0 => default_acl(ctx, subnet),
        1 => Ok(found.pop()),
        _ => Err("subnet associated with several network ACLs"),
    }
}

/// The default ACL of the subnet's VPC: one the file defines (Terraform's
/// `aws_default_network_acl`, mapped with `DefaultFor` naming the VPC), else allow-all. Entries
/// added to it by reference (`!GetAtt Vpc.DefaultNetworkAcl`) cannot be told from the rules
/// AWS put there, so they make it unknown.
fn default_acl<'g>(ctx: &Ctx<'g>, subnet: &Val<'g>) -> Result<Option<Val<'g>>, &'static str> {
    let vpc = field(ctx, subnet, "VpcId")
        .into_iter()
        .flat_map(|v| follow(ctx, v, Some("AWS::EC2::VPC")))
        .find(|v| !v.is_absent());
    let Some(vpc) = vpc.filter(|v| matches!(v.v, V::Resource(_))) else {
        return Err("default network ACL of a VPC outside this file");
    };
    let defined: Vec<Val<'g>> = referrers(
        ctx,
        vpc.clone(),
        Some("AWS::EC2::NetworkAcl"),
        Some("DefaultFor"),
    )
    .into_iter()
    .filter(|a| !a.is_absent())
    .collect();
    let edited = referrers(
        ctx,
        vpc,
        Some("AWS::EC2::NetworkAclEntry"),
        Some("NetworkAclId"),
    );
    if edited.iter().any(|e| !e.is_absent()) {
        return Err("entries added to the VPC's default network ACL");
    }
    match &defined[..] {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err("several definitions of the default network ACL"),
    }
}

fn same_resource(a: &Val<'_>, b: &Val<'_>) -> bool {
    matches!((&a.v, &b.v), (V::Resource(x), V::Resource(y)) if x == y)
}

/// The entries of an ACL in one direction, parsed; an error when one cannot be known.
fn acl_entries<'g>(
    ctx: &Ctx<'g>,
    acl: &Val<'g>,
    egress: bool,
) -> Result<Vec<(Val<'g>, nacl::Entry)>, &'static str> {
    let mut out = Vec::new();
    for e in referrers(
        ctx,
        acl.clone(),
        Some("AWS::EC2::NetworkAclEntry"),
        Some("NetworkAclId"),
    ) {
        if e.is_absent() {
            continue;
        }
        let is_egress = match one(ctx, &e, "Egress")? {
            None => false,
            Some(v) => v.truth().ok_or("entry direction known at deploy time")?,
        };
        if is_egress != egress {
            continue;
        }
        let entry = parse_entry(ctx, &e)?;
        out.push((e, entry));
    }
    Ok(out)
}

fn parse_entry<'g>(ctx: &Ctx<'g>, e: &Val<'g>) -> Result<nacl::Entry, &'static str> {
    let text = |key: &str| -> Result<Option<String>, &'static str> {
        match one(ctx, e, key)? {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or("entry value known at deploy time"),
        }
    };
    let number = text("RuleNumber")?
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or("entry without a rule number")?;
    let protocol = text("Protocol")?
        .as_deref()
        .and_then(nacl::protocol)
        .ok_or("entry without a known protocol")?;
    let allow = match text("RuleAction")?
        .map(|a| a.to_ascii_lowercase())
        .as_deref()
    {
        Some("allow") => true,
        Some("deny") => false,
        _ => return Err("entry without a known action"),
    };
    let addrs = match (text("CidrBlock")?, text("Ipv6CidrBlock")?) {
        (Some(c), _) => Some(nacl::ipv4_cidr(&c).ok_or("entry CIDR not understood")?),
        (None, Some(_)) => None,
        (None, None) => return Err("entry without a CIDR block"),
    };
    let ports = match protocol {
        Protocol::Number(6 | 17) => {
            let range = one(ctx, e, "PortRange")?.ok_or("TCP or UDP entry without ports")?;
            let end = |key: &str| -> Result<u16, &'static str> {
                one(ctx, &range, key)?
                    .and_then(|v| v.as_str().and_then(|s| s.parse::<u16>().ok()))
                    .ok_or("entry port not known")
            };
            let (from, to) = (end("From")?, end("To")?);
            // 0-0 is read as "all ports" by some tools and as port 0 by others.
            if from == 0 && to == 0 {
                return Err("entry with ports 0-0");
            }
            Some((from, to))
        }
        _ => None,
    };
    Ok(nacl::Entry {
        number,
        protocol,
        ports,
        addrs,
        allow,
    })
}

/// The one value of a property (`None` when absent); an error when it is unknown or has
/// several alternatives (an `Fn::If`).
fn one<'g>(ctx: &Ctx<'g>, v: &Val<'g>, key: &str) -> Result<Option<Val<'g>>, &'static str> {
    let vals: Vec<Val<'g>> = field(ctx, v, key)
        .into_iter()
        .filter(|x| !x.is_absent())
        .collect();
    match &vals[..] {
        [] => Ok(None),
        [x] if x.is_unknown() || matches!(x.v, V::Text(..)) => Err("value known at deploy time"),
        [x] => Ok(Some(x.clone())),
        _ => Err("value with alternatives"),
    }
}
