//! The `subnet_egress` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::field;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::refs::{follow, referrers};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "subnet_egress",
    signature: "subnet_egress(subnet)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "`internet`, `nat` or `none`: where the subnet's default route goes; unknown for the main route table or a target that may reach out",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .flat_map(|v| subnet_egress(ctx, v))
        .collect()
}

/// Where a subnet's default route goes: `internet`, `nat` or `none`.
fn subnet_egress<'g>(ctx: &Ctx<'g>, subnet: Val<'g>) -> Vals<'g> {
    let V::Resource(s) = subnet.v else {
        return vec![Val {
            v: if subnet.is_absent() {
                V::Absent
            } else {
                V::Unknown("subnet outside this file".into())
            },
            ..subnet
        }];
    };
    let assocs = referrers(
        ctx,
        subnet.clone(),
        Some("AWS::EC2::SubnetRouteTableAssociation"),
        Some("SubnetId"),
    );
    if assocs.iter().all(Val::is_absent) || assocs.is_empty() {
        // The main route table: not declared in the template, so not known here.
        return vec![Val {
            v: V::Unknown("subnet uses the main route table".into()),
            ..subnet
        }];
    }
    let mut out = Vec::new();
    for a in assocs {
        for table in field(ctx, &a, "RouteTableId")
            .into_iter()
            .flat_map(|t| follow(ctx, t, Some("AWS::EC2::RouteTable")))
        {
            let verdict = match &table.v {
                V::Resource(_) => route_table_egress(ctx, &table),
                _ => V::Unknown("route table outside this file".into()),
            };
            out.push(Val {
                v: verdict,
                span: subnet.span.clone(),
                owner: Some(s),
                site: subnet.site,
                facts: table.facts.clone(),
                keys: None,
            });
        }
    }
    out
}

fn route_table_egress<'g>(ctx: &Ctx<'g>, table: &Val<'g>) -> V<'g> {
    let routes = referrers(
        ctx,
        table.clone(),
        Some("AWS::EC2::Route"),
        Some("RouteTableId"),
    );
    let mut verdict = V::Str(Cow::Borrowed("none"), false);
    for route in routes.iter().filter(|r| !r.is_absent()) {
        let dest = field(ctx, route, "DestinationCidrBlock");
        let is_default = dest.iter().any(|d| d.as_str() == Some("0.0.0.0/0"));
        if !is_default {
            if dest.iter().any(|d| d.is_unknown()) {
                verdict = V::Unknown("route destination known at deploy time".into());
            }
            continue;
        }
        if !field(ctx, route, "NatGatewayId").iter().all(Val::is_absent) {
            let nat = field(ctx, route, "NatGatewayId")
                .into_iter()
                .flat_map(|n| follow(ctx, n, Some("AWS::EC2::NatGateway")))
                .next();
            let private = nat.as_ref().is_some_and(|n| {
                field(ctx, n, "ConnectivityType")
                    .iter()
                    .any(|c| c.as_str() == Some("private"))
            });
            if !private {
                return V::Str(Cow::Borrowed("nat"), false);
            }
            continue;
        }
        let gw = field(ctx, route, "GatewayId");
        let is_igw = gw.iter().any(|g| match &g.v {
            V::Resource(r) => ctx.graph.resources[*r].rtype == "AWS::EC2::InternetGateway",
            V::Str(s, _) => s.starts_with("igw-"),
            _ => false,
        });
        if is_igw {
            return V::Str(Cow::Borrowed("internet"), false);
        }
        // A transit gateway, instance, peering or computed target may well reach out.
        verdict = V::Unknown("default route to a target that may reach the internet".into());
    }
    verdict
}
