//! The `sg_allows` built-in function; what it does is its `doc`.
//!
//! Three-valued throughout (`None` is unknown): a rule, group or peer that cannot be read makes
//! the answer unknown unless another rule already allows the traffic, so a group whose rules
//! are partly unknown is never reported as closed.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, field, flatten, items};
use crate::engine::helpers::network::{Cidr, Ports, Protocol};
use crate::engine::refs::{follow, referrers};
use crate::graph::Provider;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "sg_allows",
    signature: "sg_allows(groups, \"direction\", \"protocol\", port, peer)",
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
    doc: "do the security groups `groups` (all values together, as on one network interface) allow, in the direction `ingress` or `egress`, traffic of the protocol (`tcp`, `udp`, a number, `-1`) on the port (`443`, or a range `32768-65535`: any port of it) from (`ingress`) or to (`egress`) `peer`? `peer` is one place, all values together: CIDR strings, subnets (their CIDR), security groups (traffic from their members), prefix lists of the file, and gateway VPC endpoints (public addresses, or the endpoint's prefix list); `0.0.0.0/0` stands for public endpoints, which rules to private ranges do not reach. Reads inline rules, `AWS::EC2::SecurityGroupIngress`/`Egress` (Terraform `aws_security_group_rule`, `aws_vpc_security_group_*_rule`, `self = true`) and the allow-all egress a CloudFormation group without egress rules gets (a Terraform `aws_security_group` has none); unknown for groups, rules or peers it cannot see, and for no group at all (the VPC's default group)",
    eval,
};

type Tri = Option<bool>;

fn or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Ingress,
    Egress,
}

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let literal = |i: usize| {
        arg(&args, i)
            .first()
            .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
    };
    let direction = match literal(1).as_deref() {
        Some("ingress") => Direction::Ingress,
        Some("egress") => Direction::Egress,
        _ => return vec![Val::unknown("direction is neither ingress nor egress")],
    };
    let Some(protocol) = literal(2).as_deref().and_then(Protocol::parse) else {
        return vec![Val::unknown("protocol not known")];
    };
    let groups = values(ctx, arg(&args, 0));
    let place = Place::of(ctx, values(ctx, arg(&args, 4)));
    arg(&args, 3)
        .into_iter()
        .map(|port| {
            let verdict = port.as_str().and_then(Ports::parse).and_then(|ports| {
                let query = Query {
                    direction,
                    protocol,
                    ports,
                    place: &place,
                };
                allows(ctx, &groups, &query)
            });
            let v = match verdict {
                Some(b) => V::Bool(b),
                None => V::Unknown("security group rules not all known".into()),
            };
            Val {
                facts: port.facts.clone(),
                ..Val::new(v)
            }
        })
        .collect()
}

/// Every value of an argument, lists opened.
fn values<'g>(ctx: &Ctx<'g>, vals: Vals<'g>) -> Vals<'g> {
    vals.into_iter()
        .flat_map(flatten)
        .flat_map(|v| items(ctx, v))
        .filter(|v| !v.is_absent())
        .collect()
}

struct Query<'a> {
    direction: Direction,
    protocol: Protocol,
    ports: Ports,
    place: &'a Place,
}

/// The other end of the traffic: what it is known by.
#[derive(Default)]
struct Place {
    groups: Vec<usize>,
    /// Prefix lists and gateway endpoints (whose prefix list a Terraform rule names).
    lists: Vec<usize>,
    cidrs: Vec<Cidr>,
    /// Some address of the place is not known (a subnet whose CIDR is computed).
    cidrs_partial: bool,
    /// Part of the place cannot be seen at all.
    unknown: bool,
}

impl Place {
    fn of<'g>(ctx: &Ctx<'g>, peers: Vals<'g>) -> Place {
        let mut place = Place::default();
        for peer in peers {
            match &peer.v {
                V::Resource(r) => match ctx.graph.resources[*r].rtype.as_str() {
                    "AWS::EC2::SecurityGroup" => place.groups.push(*r),
                    "AWS::EC2::Subnet" => place.add_cidrs(ctx, field(ctx, &peer, "CidrBlock")),
                    "AWS::EC2::PrefixList" => {
                        place.lists.push(*r);
                        place.add_cidrs(ctx, entry_cidrs(ctx, &peer));
                    }
                    // A gateway endpoint is reached at the service's public addresses.
                    "AWS::EC2::VPCEndpoint" => {
                        place.lists.push(*r);
                        place.cidrs.extend(Cidr::parse("0.0.0.0/0"));
                    }
                    _ => place.unknown = true,
                },
                V::Str(s, _) => match Cidr::parse(s) {
                    Some(c) => place.cidrs.push(c),
                    None => place.unknown = true,
                },
                _ => place.unknown = true,
            }
        }
        place
    }

    fn add_cidrs<'g>(&mut self, ctx: &Ctx<'g>, vals: Vals<'g>) {
        for v in values(ctx, vals) {
            match v.as_str().and_then(Cidr::parse) {
                Some(c) => self.cidrs.push(c),
                None => self.cidrs_partial = true,
            }
        }
    }

    /// Does a rule's CIDR block take in this place?
    fn in_block(&self, block: &Cidr) -> Tri {
        let mut verdict = Some(false);
        for c in &self.cidrs {
            let v = if block.contains(c) {
                Some(true)
            } else if !block.overlaps(c) {
                Some(false)
            } else if c.is_any() && block.is_private() {
                // `0.0.0.0/0` as a place stands for public endpoints.
                Some(false)
            } else {
                None
            };
            verdict = or(verdict, v);
        }
        if self.cidrs.is_empty() || self.cidrs_partial {
            // Members of groups, or addresses not known: only an any-address block surely
            // takes them in.
            verdict = or(verdict, if block.is_any() { Some(true) } else { None });
        }
        self.settle(verdict)
    }

    /// Unknown instead of false when part of the place cannot be seen.
    fn settle(&self, verdict: Tri) -> Tri {
        if verdict == Some(false) && self.unknown {
            None
        } else {
            verdict
        }
    }
}

/// The CIDR blocks of a prefix list's `Entries`.
fn entry_cidrs<'g>(ctx: &Ctx<'g>, list: &Val<'g>) -> Vals<'g> {
    field(ctx, list, "Entries")
        .into_iter()
        .flat_map(|e| items(ctx, e))
        .flat_map(|e| field(ctx, &e, "Cidr"))
        .collect()
}

/// Do these groups together allow the traffic?
fn allows<'g>(ctx: &Ctx<'g>, groups: &[Val<'g>], q: &Query<'_>) -> Tri {
    if groups.is_empty() {
        return None; // the VPC's default group, not in the file
    }
    let mut verdict = Some(false);
    for g in groups {
        let found: Vals<'g> = follow(ctx, g.clone(), Some("AWS::EC2::SecurityGroup"));
        for group in found {
            verdict = or(verdict, group_allows(ctx, &group, q));
            if verdict == Some(true) {
                return verdict;
            }
        }
    }
    verdict
}

fn group_allows<'g>(ctx: &Ctx<'g>, group: &Val<'g>, q: &Query<'_>) -> Tri {
    let V::Resource(_) = group.v else {
        return if group.is_absent() { Some(false) } else { None };
    };
    let (inline, standalone) = match q.direction {
        Direction::Ingress => ("SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress"),
        Direction::Egress => ("SecurityGroupEgress", "AWS::EC2::SecurityGroupEgress"),
    };
    let mut rules: Vals<'g> = Vec::new();
    for alternative in field(ctx, group, inline) {
        let listed = items(ctx, alternative);
        // CloudFormation gives a group created without egress rules (in any alternative of
        // an `Fn::If`) an allow-all egress rule, IPv4 and IPv6; the Terraform provider
        // removes that rule when it creates the group.
        if q.direction == Direction::Egress
            && listed.iter().all(Val::is_absent)
            && ctx.graph.provider == Provider::CloudFormation
        {
            return Some(true);
        }
        rules.extend(listed);
    }
    rules.extend(referrers(
        ctx,
        group.clone(),
        Some(standalone),
        Some("GroupId"),
    ));
    if q.direction == Direction::Ingress {
        rules.extend(referrers(
            ctx,
            group.clone(),
            Some(standalone),
            Some("GroupName"),
        ));
    }
    let mut verdict = Some(false);
    for rule in rules.iter().filter(|r| !r.is_absent()) {
        verdict = or(verdict, rule_allows(ctx, rule, q));
        if verdict == Some(true) {
            break;
        }
    }
    verdict
}

/// Does one rule (an inline rule object or a standalone rule resource) allow the traffic?
fn rule_allows<'g>(ctx: &Ctx<'g>, rule: &Val<'g>, q: &Query<'_>) -> Tri {
    if rule.is_unknown() {
        return None;
    }
    let mut verdict = Some(false);
    for proto in field(ctx, rule, "IpProtocol") {
        let Some(proto) = scalar(&proto).and_then(|p| Protocol::parse(&p)) else {
            verdict = or(verdict, None);
            continue;
        };
        if !proto.covers(q.protocol) {
            continue;
        }
        let ports = if proto == Protocol::All || !q.protocol.has_ports() {
            Some(true)
        } else {
            rule_ports(ctx, rule).map(|p| p.overlaps(&q.ports))
        };
        verdict = or(verdict, and(ports, peer_matches(ctx, rule, q.place)));
    }
    verdict
}

fn scalar(v: &Val<'_>) -> Option<String> {
    match &v.v {
        V::Str(s, _) => Some(s.to_string()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn rule_ports<'g>(ctx: &Ctx<'g>, rule: &Val<'g>) -> Option<Ports> {
    let port = |key: &str| -> Option<i64> {
        let vals = field(ctx, rule, key);
        let [one] = vals.as_slice() else { return None };
        scalar(one)?.trim().parse().ok()
    };
    Ports::of_rule(port("FromPort")?, port("ToPort")?)
}

/// Does the peer of a rule (CIDR, group, prefix list) take in the place?
fn peer_matches<'g>(ctx: &Ctx<'g>, rule: &Val<'g>, place: &Place) -> Tri {
    let mut verdict = Some(false);
    let mut named = false;
    for key in ["CidrIp", "CidrIpv6"] {
        for v in values(ctx, field(ctx, rule, key)) {
            named = true;
            let v = match v.as_str().and_then(Cidr::parse) {
                Some(block) => place.in_block(&block),
                None => None,
            };
            verdict = or(verdict, v);
        }
    }
    for key in [
        "SourceSecurityGroupId",
        "DestinationSecurityGroupId",
        "SourceSecurityGroupName",
    ] {
        for v in values(ctx, field(ctx, rule, key)) {
            named = true;
            for g in follow(ctx, v, Some("AWS::EC2::SecurityGroup")) {
                let v = match g.v {
                    V::Resource(r) => place.settle(Some(place.groups.contains(&r))),
                    _ => None,
                };
                verdict = or(verdict, v);
            }
        }
    }
    for key in ["SourcePrefixListId", "DestinationPrefixListId"] {
        for v in values(ctx, field(ctx, rule, key)) {
            named = true;
            let v = match v.v {
                V::Resource(r) if place.lists.contains(&r) => Some(true),
                V::Resource(r) if ctx.graph.resources[r].rtype == "AWS::EC2::PrefixList" => {
                    let mut in_list = Some(false);
                    for c in values(ctx, entry_cidrs(ctx, &v)) {
                        let c = c.as_str().and_then(Cidr::parse);
                        in_list = or(in_list, c.and_then(|c| place.in_block(&c)));
                    }
                    in_list
                }
                // A prefix list by ID, or a gateway endpoint's list facing another place.
                _ => None,
            };
            verdict = or(verdict, v);
        }
    }
    // Terraform's `self = true`: the rule's own group.
    for own in field(ctx, rule, "Self") {
        match own.truth() {
            Some(false) => continue,
            Some(true) => {
                named = true;
                verdict = or(verdict, own_group(ctx, rule, place));
            }
            None => {
                named = true;
                verdict = or(verdict, None);
            }
        }
    }
    if named { verdict } else { None }
}

/// Is the group a rule belongs to (the group of an inline rule, the `GroupId` of a rule
/// resource) part of the place?
fn own_group<'g>(ctx: &Ctx<'g>, rule: &Val<'g>, place: &Place) -> Tri {
    let groups: Vals<'g> = match rule.v {
        V::Resource(_) => field(ctx, rule, "GroupId")
            .into_iter()
            .flat_map(|g| follow(ctx, g, Some("AWS::EC2::SecurityGroup")))
            .collect(),
        _ => match rule.owner {
            Some(r) => vec![Val::new(V::Resource(r))],
            None => vec![Val::unknown("group of the rule")],
        },
    };
    let mut verdict = Some(false);
    for g in groups {
        let v = match g.v {
            V::Resource(r) => place.settle(Some(place.groups.contains(&r))),
            _ => None,
        };
        verdict = or(verdict, v);
    }
    verdict
}

#[cfg(test)]
mod tests {
    use crate::engine::builtins::call;
    use crate::graph::resolve::Ctx;
    use crate::graph::value::{V, Val};
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "Parameters:
  SharedGroup:
    Type: AWS::EC2::SecurityGroup::Id
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24}
  OtherSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 192.168.0.0/24}
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: no egress rules}
  DatabaseOnly:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: postgres out
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/16}
  Loopback:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nothing out
      SecurityGroupEgress:
        - {IpProtocol: '-1', CidrIp: 127.0.0.1/32}
  SomePublic:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: one public range
      SecurityGroupEgress:
        - {IpProtocol: 6, FromPort: 443, ToPort: 443, CidrIp: 52.0.0.0/8}
  V6Only:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: IPv6 out
      SecurityGroupEgress:
        - {IpProtocol: '-1', CidrIpv6: '::/0'}
  ByPrefixList:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: S3 out
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-6da54004}
  Balancer:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: load balancer}
  Tasks:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tasks
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 10.0.0.0/16}
  TasksFromBalancer:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Tasks.GroupId
      IpProtocol: tcp
      FromPort: 32768
      ToPort: 61000
      SourceSecurityGroupId: !Ref Balancer
";

    fn with_graph(test: impl FnOnce(&Ctx<'_>)) {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        test(&Ctx::new(&graph, &arena));
    }

    fn res<'g>(ctx: &Ctx<'g>, id: &str) -> Val<'g> {
        let r = ctx.graph.resource(id).expect("a resource");
        Val {
            owner: Some(r),
            ..Val::new(V::Resource(r))
        }
    }

    /// `sg_allows(group, direction, "tcp", port, peer)`: Some(bool), or None when unknown.
    fn allows<'g>(
        ctx: &Ctx<'g>,
        group: Val<'g>,
        dir: &str,
        port: &'g str,
        peer: Vec<Val<'g>>,
    ) -> Option<bool> {
        let out = call(
            ctx,
            "sg_allows",
            vec![
                vec![group],
                vec![Val::str(dir.to_string())],
                vec![Val::str("tcp")],
                vec![Val::str(port)],
                peer,
            ],
        );
        match out.as_slice() {
            [v] => match v.v {
                V::Bool(b) => Some(b),
                V::Unknown(_) => None,
                _ => panic!("a truth value"),
            },
            _ => panic!("one value"),
        }
    }

    const PLAN: &str = r#"{"format_version": "1.2", "resource_changes": [
      {"address": "aws_security_group.closed", "mode": "managed", "type": "aws_security_group",
       "name": "closed", "change": {"actions": ["create"], "before": null,
       "after": {"name": "closed", "egress": [], "ingress": []}, "after_unknown": {"id": true}}},
      {"address": "aws_security_group.mesh", "mode": "managed", "type": "aws_security_group",
       "name": "mesh", "change": {"actions": ["create"], "before": null,
       "after": {"name": "mesh", "egress": [], "ingress": [{"protocol": "-1", "from_port": 0,
         "to_port": 0, "cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
         "security_groups": [], "self": true}]}, "after_unknown": {"id": true}}}
    ]}"#;

    #[test]
    fn a_terraform_group_has_no_default_egress_and_self_rules_admit_its_members() {
        let Outcome::Loaded { graph, .. } = load("plan.json", PLAN.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = &Ctx::new(&graph, &arena);
        let anywhere = || vec![Val::str("0.0.0.0/0")];
        let closed = res(ctx, "aws_security_group.closed");
        assert_eq!(
            allows(ctx, closed, "egress", "443", anywhere()),
            Some(false)
        );
        let mesh = || res(ctx, "aws_security_group.mesh");
        assert_eq!(
            allows(ctx, mesh(), "ingress", "8080", vec![mesh()]),
            Some(true)
        );
        assert_eq!(
            allows(ctx, mesh(), "ingress", "8080", anywhere()),
            Some(false)
        );
    }

    #[test]
    fn a_cloudformation_group_without_egress_rules_allows_all_egress() {
        with_graph(|ctx| {
            let anywhere = vec![Val::str("0.0.0.0/0")];
            assert_eq!(
                allows(ctx, res(ctx, "Open"), "egress", "443", anywhere),
                Some(true)
            );
        });
    }

    #[test]
    fn egress_to_other_ports_or_private_ranges_does_not_reach_public_endpoints() {
        with_graph(|ctx| {
            for group in ["DatabaseOnly", "Loopback", "V6Only"] {
                let anywhere = vec![Val::str("0.0.0.0/0")];
                assert_eq!(
                    allows(ctx, res(ctx, group), "egress", "443", anywhere),
                    Some(false),
                    "{group}"
                );
            }
        });
    }

    #[test]
    fn what_cannot_be_seen_is_unknown() {
        with_graph(|ctx| {
            let anywhere = || vec![Val::str("0.0.0.0/0")];
            // A public range that may or may not hold the endpoint; a prefix list by ID.
            assert_eq!(
                allows(ctx, res(ctx, "SomePublic"), "egress", "443", anywhere()),
                None
            );
            assert_eq!(
                allows(ctx, res(ctx, "ByPrefixList"), "egress", "443", anywhere()),
                None
            );
            // A group given as a parameter.
            let param = Val::unknown("parameter without default");
            assert_eq!(allows(ctx, param, "egress", "443", anywhere()), None);
            // No group at all: the VPC's default group.
            assert_eq!(
                allows(ctx, Val::absent(), "egress", "443", anywhere()),
                None
            );
        });
    }

    #[test]
    fn ingress_from_subnets_by_cidr_containment() {
        with_graph(|ctx| {
            let tasks = || res(ctx, "Tasks");
            assert_eq!(
                allows(ctx, tasks(), "ingress", "8080", vec![res(ctx, "Subnet")]),
                Some(true)
            );
            assert_eq!(
                allows(
                    ctx,
                    tasks(),
                    "ingress",
                    "8080",
                    vec![res(ctx, "OtherSubnet")]
                ),
                Some(false)
            );
            assert_eq!(
                allows(ctx, tasks(), "ingress", "80", vec![res(ctx, "Subnet")]),
                Some(false)
            );
        });
    }

    #[test]
    fn ingress_from_a_group_through_a_standalone_rule_and_a_port_range() {
        with_graph(|ctx| {
            let tasks = || res(ctx, "Tasks");
            let balancer = || vec![res(ctx, "Balancer")];
            assert_eq!(
                allows(ctx, tasks(), "ingress", "32768-65535", balancer()),
                Some(true)
            );
            assert_eq!(
                allows(ctx, tasks(), "ingress", "9000", balancer()),
                Some(false)
            );
            // Another group's members are not the balancer.
            let other = vec![res(ctx, "Open")];
            assert_eq!(
                allows(ctx, tasks(), "ingress", "32768-65535", other),
                Some(false)
            );
        });
    }
}
