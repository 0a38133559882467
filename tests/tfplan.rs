//! Terraform plan loading: plan JSON → the CloudFormation-model `Graph` that rules see.
//! Fixtures are in `testdata/tfplan-load/` (written in `terraform show -json` format).

use std::collections::BTreeMap;
use std::path::Path;

use ecslint::bindings;
use ecslint::graph::{EdgeKind, Graph, Provider, Resource, Target};
use ecslint::load::{self, Outcome};
use ecslint::node::{Kind, Node};

fn load_fixture(name: &str) -> Graph {
    let path = format!("{}/testdata/tfplan-load/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture readable");
    match load::load(&path, bytes) {
        Outcome::Loaded { graph, problems } => {
            assert!(problems.is_empty(), "{problems:?}");
            *graph
        }
        Outcome::Failed { errors, .. } => panic!("{name} failed: {errors:?}"),
        Outcome::Skipped => panic!("{name} skipped"),
        Outcome::Documents(_) => panic!("{name}: several documents"),
    }
}

fn resource<'g>(g: &'g Graph, id: &str) -> &'g Resource {
    let i = g.resource(id).unwrap_or_else(|| panic!("no resource {id}"));
    &g.resources[i]
}

/// The property at a dotted path (`A.B[0].C`).
fn prop<'g>(g: &'g Graph, id: &str, path: &str) -> &'g Node {
    let mut node = resource(g, id).properties.as_ref().expect("properties");
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = node
            .get(key)
            .unwrap_or_else(|| panic!("{id}: no {path} (at {key})"));
        if let Some(i) = index {
            node = &node.items()[i];
        }
    }
    node
}

fn text<'g>(g: &'g Graph, id: &str, path: &str) -> &'g str {
    prop(g, id, path)
        .as_str()
        .unwrap_or_else(|| panic!("{id}.{path} is not text"))
}

/// `("Ref", target)` or `("Fn::GetAtt", target)` with the GetAtt attribute.
fn reference(n: &Node) -> (String, String, Option<String>) {
    let (func, arg) = n
        .intrinsic()
        .unwrap_or_else(|| panic!("not a reference: {n:?}"));
    match func {
        "Ref" => (func.into(), arg.as_str().unwrap().into(), None),
        _ => (
            func.into(),
            arg.items()[0].as_str().unwrap().into(),
            arg.items()[1].as_str().map(String::from),
        ),
    }
}

fn is_unknown(n: &Node) -> bool {
    matches!(n.kind, Kind::Unknown(_))
}

fn has_edge(g: &Graph, from: &str, path: &str, to: &str, kind: EdgeKind) -> bool {
    let (from, to) = (g.resource(from).unwrap(), g.resource(to).unwrap());
    g.edges_from(from)
        .any(|e| e.path == path && e.to == Target::Resource(to) && e.kind == kind)
}

const ECS: &str = "ecs-capacity-provider.json";

#[test]
fn resources_are_named_by_address_and_typed_in_the_cloudformation_model() {
    let g = load_fixture(ECS);
    assert_eq!(g.provider, Provider::Terraform);
    let types: BTreeMap<&str, &str> = g
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r.rtype.as_str()))
        .collect();
    for (id, rtype) in [
        ("aws_ecs_cluster.main", "AWS::ECS::Cluster"),
        (
            "aws_ecs_capacity_provider.asg",
            "AWS::ECS::CapacityProvider",
        ),
        (
            "aws_ecs_cluster_capacity_providers.main",
            "AWS::ECS::ClusterCapacityProviderAssociations",
        ),
        (
            "aws_autoscaling_group.ecs",
            "AWS::AutoScaling::AutoScalingGroup",
        ),
        ("aws_launch_template.ecs", "AWS::EC2::LaunchTemplate"),
        (
            "aws_launch_configuration.legacy",
            "AWS::AutoScaling::LaunchConfiguration",
        ),
        ("aws_subnet.private[1]", "AWS::EC2::Subnet"),
        ("aws_route_table.public", "AWS::EC2::RouteTable"),
        ("aws_route_table.public.route[0]", "AWS::EC2::Route"),
        (
            "aws_iam_instance_profile.instance",
            "AWS::IAM::InstanceProfile",
        ),
        ("module.app.aws_ecs_service.web", "AWS::ECS::Service"),
        (
            "module.app.aws_ecs_task_definition.web",
            "AWS::ECS::TaskDefinition",
        ),
        ("module.app.aws_iam_role.exec", "AWS::IAM::Role"),
        // Unmapped types keep their Terraform names.
        (
            "module.app.aws_iam_role_policy_attachment.exec",
            "aws_iam_role_policy_attachment",
        ),
        // Read while planning, so only in `prior_state`.
        ("data.aws_ssm_parameter.ecs_ami", "Data::SSM::Parameter"),
    ] {
        assert_eq!(types.get(id), Some(&rtype), "{id}");
    }
    // Deleted by the plan: nothing to lint.
    assert!(g.resource("aws_ecs_service.old").is_none());
}

#[test]
fn spans_point_at_the_address_and_type_in_planned_values() {
    let g = load_fixture(ECS);
    let text = &g.source.text;
    let svc = resource(&g, "module.app.aws_ecs_service.web");
    assert_eq!(
        &text[svc.id_span.clone()],
        "\"module.app.aws_ecs_service.web\""
    );
    assert_eq!(&text[svc.type_span.clone()], "\"aws_ecs_service\"");
    let planned = text.find("\"planned_values\"").unwrap();
    let changes = text.find("\"resource_changes\"").unwrap();
    assert!(planned < svc.id_span.start && svc.id_span.start < changes);
    // A known value keeps its own span.
    let family = prop(&g, "module.app.aws_ecs_task_definition.web", "Family");
    assert_eq!(&text[family.span.clone()], "\"demo-web\"");
}

#[test]
fn properties_use_cloudformation_names() {
    let g = load_fixture(ECS);
    let td = "module.app.aws_ecs_task_definition.web";
    assert_eq!(text(&g, td, "RuntimePlatform.CpuArchitecture"), "ARM64");
    assert_eq!(text(&g, td, "NetworkMode"), "awsvpc");
    assert_eq!(text(&g, td, "RequiresCompatibilities[0]"), "EC2");
    let c = "ContainerDefinitions[0]";
    assert_eq!(
        text(&g, td, &format!("{c}.Image")),
        "public.ecr.aws/nginx/nginx:1.27"
    );
    assert_eq!(
        text(&g, td, &format!("{c}.LogConfiguration.LogDriver")),
        "awslogs"
    );
    // Log driver options and Docker labels are data: their keys stay as written.
    assert_eq!(
        text(
            &g,
            td,
            &format!("{c}.LogConfiguration.Options.awslogs-create-group")
        ),
        "true"
    );
    let labels = prop(&g, td, &format!("{c}.DockerLabels"));
    assert_eq!(
        labels.get("com.example.team").and_then(Node::as_str),
        Some("web")
    );
    assert!(text(&g, td, &format!("{c}.Secrets[0].ValueFrom")).starts_with("arn:aws:ssm:"));
    assert!(
        text(
            &g,
            td,
            &format!("{c}.RepositoryCredentials.CredentialsParameter")
        )
        .contains(":secret:")
    );
    assert_eq!(text(&g, td, &format!("{c}.EnvironmentFiles[0].Type")), "s3");
    // Nodes parsed out of the JSON string all point at the string.
    let image = prop(&g, td, &format!("{c}.Image"));
    assert!(g.source.text[image.span.clone()].starts_with("\"[{\\\"environment\\\""));

    let svc = "module.app.aws_ecs_service.web";
    assert_eq!(
        text(
            &g,
            svc,
            "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"
        ),
        "DISABLED"
    );
    assert_eq!(text(&g, svc, "EnableExecuteCommand"), "true");
    assert_eq!(text(&g, svc, "CapacityProviderStrategy[0].Base"), "1");
    // Optional+Computed and not configured: left out, as in a template that omits it.
    assert!(
        resource(&g, svc)
            .properties
            .as_ref()
            .unwrap()
            .get("LaunchType")
            .is_none()
    );

    let cp = "aws_ecs_capacity_provider.asg";
    assert_eq!(
        text(&g, cp, "AutoScalingGroupProvider.ManagedScaling.Status"),
        "ENABLED"
    );
    assert_eq!(
        text(
            &g,
            cp,
            "AutoScalingGroupProvider.ManagedTerminationProtection"
        ),
        "ENABLED"
    );
    let lt = "aws_launch_template.ecs";
    assert_eq!(text(&g, lt, "LaunchTemplateData.InstanceType"), "m6g.large");
    let (func, user_data) = prop(&g, lt, "LaunchTemplateData.UserData")
        .intrinsic()
        .expect("Fn::Base64");
    assert_eq!(func, "Fn::Base64");
    assert!(user_data.as_str().unwrap().starts_with("#!/bin/bash\n"));
    assert_eq!(
        text(&g, "aws_autoscaling_group.ecs", "LaunchTemplate.Version"),
        "$Latest"
    );
    assert_eq!(
        text(
            &g,
            "aws_route_table.public.route[0]",
            "DestinationCidrBlock"
        ),
        "0.0.0.0/0"
    );
    let doc = "module.app.aws_iam_role.exec";
    assert_eq!(
        text(
            &g,
            doc,
            "AssumeRolePolicyDocument.Statement[0].Principal.Service"
        ),
        "ecs-tasks.amazonaws.com"
    );
    assert_eq!(
        text(&g, "data.aws_ssm_parameter.ecs_ami", "Value"),
        "ami-0abcdef1234567890"
    );
}

#[test]
fn launch_configuration_user_data_comes_from_the_configuration_constant() {
    let g = load_fixture(ECS);
    let user_data = prop(&g, "aws_launch_configuration.legacy", "UserData");
    let (func, arg) = user_data.intrinsic().expect("Fn::Base64");
    assert_eq!(func, "Fn::Base64");
    assert!(arg.as_str().unwrap().contains("ECS_CLUSTER=legacy"));
    // The text is in the configuration, so that is where its span points.
    let configuration = g.source.text.find("\"configuration\"").unwrap();
    assert!(arg.span.start > configuration);
}

/// Launch template user data is base64 in the plan: decoded into `Fn::Base64` of its text, so
/// that a cluster named in it (`ECS_CLUSTER=demo`) is linked by name, as in a template.
#[test]
fn launch_template_user_data_is_decoded_and_names_link() {
    let g = load_fixture(ECS);
    let lt = "aws_launch_template.ecs";
    let (_, user_data) = prop(&g, lt, "LaunchTemplateData.UserData")
        .intrinsic()
        .expect("Fn::Base64");
    assert_eq!(
        user_data.as_str(),
        Some("#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config\n")
    );
    // The decoded text points at the base64 string in the planned values.
    assert!(g.source.text[user_data.span.clone()].starts_with("\"IyEvYmluL2Jhc2g"));
    assert!(has_edge(
        &g,
        lt,
        "LaunchTemplateData.UserData",
        "aws_ecs_cluster.main",
        EdgeKind::Name
    ));
    // Base64 of something that is not text (gzip) stays as it is.
    let gzip = r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_launch_template.z", "mode": "managed", "type": "aws_launch_template", "name": "z",
         "values": {"user_data": "H4sIAAAAAAAAA0vOzy0oSi0uTk1RSM7PS8tMLy1KLM4HAAAA//8DAA=="}}]}}}"#;
    let Outcome::Loaded { graph, .. } = load_text("plan.json", gzip) else {
        panic!("not loaded");
    };
    let raw = prop(
        &graph,
        "aws_launch_template.z",
        "LaunchTemplateData.UserData",
    );
    assert_eq!(
        raw.as_str(),
        Some("H4sIAAAAAAAAA0vOzy0oSi0uTk1RSM7PS8tMLy1KLM4HAAAA//8DAA==")
    );
}

#[test]
fn configuration_references_become_ref_and_getatt() {
    let g = load_fixture(ECS);
    let svc = "module.app.aws_ecs_service.web";
    // `cluster = var.cluster_id`, and the module call passes `aws_ecs_cluster.main.id`.
    assert_eq!(
        reference(prop(&g, svc, "Cluster")),
        ("Ref".into(), "aws_ecs_cluster.main".into(), None)
    );
    assert_eq!(
        reference(prop(&g, svc, "TaskDefinition")),
        (
            "Fn::GetAtt".into(),
            "module.app.aws_ecs_task_definition.web".into(),
            Some("arn".into())
        )
    );
    // Known ("demo-asg") and equal to the referenced provider's name: the reference.
    assert_eq!(
        reference(prop(
            &g,
            svc,
            "CapacityProviderStrategy[0].CapacityProvider"
        )),
        (
            "Fn::GetAtt".into(),
            "aws_ecs_capacity_provider.asg".into(),
            Some("name".into())
        )
    );
    // `aws_subnet.private[*].id` through a module variable: one Ref per instance.
    let subnets = prop(&g, svc, "NetworkConfiguration.AwsvpcConfiguration.Subnets").items();
    let ids: Vec<String> = subnets.iter().map(|s| reference(s).1).collect();
    assert_eq!(ids, ["aws_subnet.private[0]", "aws_subnet.private[1]"]);

    let td = "module.app.aws_ecs_task_definition.web";
    assert_eq!(
        reference(prop(&g, td, "ExecutionRoleArn")).1,
        "module.app.aws_iam_role.exec"
    );
    let asg = "aws_autoscaling_group.ecs";
    assert_eq!(
        reference(prop(&g, asg, "LaunchTemplate.LaunchTemplateId")),
        ("Ref".into(), "aws_launch_template.ecs".into(), None)
    );
    assert_eq!(prop(&g, asg, "VPCZoneIdentifier").items().len(), 2);
    assert_eq!(
        reference(prop(
            &g,
            "aws_ecs_capacity_provider.asg",
            "AutoScalingGroupProvider.AutoScalingGroupArn"
        ))
        .1,
        asg
    );
    assert_eq!(
        reference(prop(
            &g,
            "aws_launch_template.ecs",
            "LaunchTemplateData.ImageId"
        ))
        .1,
        "data.aws_ssm_parameter.ecs_ami"
    );
    assert_eq!(
        reference(prop(&g, "aws_route_table.public.route[0]", "GatewayId")).1,
        "aws_internet_gateway.gw"
    );
    // A known value that only contains a reference (`cidrsubnet(aws_vpc.main.cidr_block, …)`)
    // stays literal.
    assert_eq!(
        text(&g, "aws_subnet.private[0]", "CidrBlock"),
        "10.0.1.0/24"
    );
    // An unknown reference points at the reference text in the configuration.
    let cluster = prop(&g, svc, "Cluster");
    assert_eq!(&g.source.text[cluster.span.clone()], "\"var.cluster_id\"");
}

#[test]
fn policy_attachments_fold_into_the_role() {
    let g = load_fixture(ECS);
    let arns = prop(&g, "module.app.aws_iam_role.exec", "ManagedPolicyArns");
    assert_eq!(arns.items().len(), 1);
    let arn = &arns.items()[0];
    assert!(
        arn.as_str()
            .unwrap()
            .ends_with("AmazonECSTaskExecutionRolePolicy")
    );
    // The span is the attachment's `policy_arn`.
    let attachment = prop(
        &g,
        "module.app.aws_iam_role_policy_attachment.exec",
        "policy_arn",
    );
    assert_eq!(arn.span, attachment.span);
}

#[test]
fn edges_follow_references() {
    let g = load_fixture(ECS);
    let svc = "module.app.aws_ecs_service.web";
    assert!(has_edge(
        &g,
        svc,
        "Cluster",
        "aws_ecs_cluster.main",
        EdgeKind::Ref
    ));
    assert!(has_edge(
        &g,
        svc,
        "TaskDefinition",
        "module.app.aws_ecs_task_definition.web",
        EdgeKind::GetAtt("arn".into())
    ));
    assert!(has_edge(
        &g,
        svc,
        "CapacityProviderStrategy[0].CapacityProvider",
        "aws_ecs_capacity_provider.asg",
        EdgeKind::GetAtt("name".into())
    ));
    assert!(has_edge(
        &g,
        svc,
        "DependsOn",
        "module.app.aws_iam_role_policy_attachment.exec",
        EdgeKind::DependsOn
    ));
    assert!(has_edge(
        &g,
        "aws_ecs_capacity_provider.asg",
        "AutoScalingGroupProvider.AutoScalingGroupArn",
        "aws_autoscaling_group.ecs",
        EdgeKind::GetAtt("arn".into())
    ));
    assert!(has_edge(
        &g,
        "aws_autoscaling_group.ecs",
        "LaunchTemplate.LaunchTemplateId",
        "aws_launch_template.ecs",
        EdgeKind::Ref
    ));
    assert!(has_edge(
        &g,
        "aws_launch_template.ecs",
        "LaunchTemplateData.IamInstanceProfile.Name",
        "aws_iam_instance_profile.instance",
        EdgeKind::GetAtt("name".into())
    ));
    assert!(has_edge(
        &g,
        "aws_iam_instance_profile.instance",
        "Roles[0]",
        "aws_iam_role.instance",
        EdgeKind::GetAtt("name".into())
    ));
    assert!(has_edge(
        &g,
        "aws_route_table.public.route[0]",
        "RouteTableId",
        "aws_route_table.public",
        EdgeKind::Ref
    ));
    // The strategy's cluster is named by its literal name in the association.
    assert!(has_edge(
        &g,
        "aws_ecs_cluster_capacity_providers.main",
        "Cluster",
        "aws_ecs_cluster.main",
        EdgeKind::GetAtt("name".into())
    ));
}

/// An argument set by a reference and read back by another resource stands for what it
/// refers to: `cluster = aws_ecs_cluster_capacity_providers.main.cluster_name` is the cluster.
#[test]
fn an_argument_read_back_refers_to_what_it_was_set_to() {
    let g =
        load_fixture("../ECS023/tfplan/fires/cluster-from-capacity-providers-cluster-name.json");
    let (svc, assoc, cluster) = (
        "aws_ecs_service.reports",
        "aws_ecs_cluster_capacity_providers.main",
        "aws_ecs_cluster.main",
    );
    // The property still names the association (creation waits for it) ...
    assert_eq!(
        reference(prop(&g, svc, "Cluster")),
        (
            "Fn::GetAtt".into(),
            assoc.into(),
            Some("cluster_name".into())
        )
    );
    assert!(has_edge(
        &g,
        svc,
        "Cluster",
        assoc,
        EdgeKind::GetAtt("cluster_name".into())
    ));
    // ... and refers to the cluster, walking forward and back.
    assert!(has_edge(
        &g,
        svc,
        "Cluster",
        cluster,
        EdgeKind::GetAtt("name".into())
    ));
    let arena = typed_arena::Arena::new();
    let ctx = ecslint::graph::resolve::Ctx::new(&g, &arena);
    let values = ctx.resolve(
        prop(&g, svc, "Cluster"),
        g.resource(svc),
        &Default::default(),
    );
    let shown: Vec<String> = values.iter().map(|v| ctx.display(v)).collect();
    assert_eq!(shown, [cluster]);
    // An attribute that is no argument set by a reference stays the resource itself.
    assert!(
        g.argument_reference(g.resource(assoc).unwrap(), "arn")
            .is_none()
    );
    assert!(
        g.argument_reference(g.resource(cluster).unwrap(), "name")
            .is_none()
    );
}

const FARGATE: &str = "fargate-unknowns.json";

#[test]
fn unknown_values_stay_unknown() {
    let g = load_fixture(FARGATE);
    let td = "aws_ecs_task_definition.app";
    // The whole JSON string is unknown when anything in it is; references in it are not
    // the value.
    assert!(is_unknown(prop(&g, td, "ContainerDefinitions")));
    assert!(is_unknown(prop(&g, "aws_iam_role.task", "RoleName")));
    // `"/ecs/app-${random_id.suffix.hex}"`: a reference that does not name a resource.
    assert!(is_unknown(prop(
        &g,
        "aws_cloudwatch_log_group.app",
        "LogGroupName"
    )));
    // Not configured and Computed: nothing rather than unknown.
    let s3 = "aws_vpc_endpoint.s3";
    assert!(
        resource(&g, s3)
            .properties
            .as_ref()
            .unwrap()
            .get("PolicyDocument")
            .is_none()
    );
    assert_eq!(text(&g, s3, "VpcEndpointType"), "Gateway");
    // Unknown stays unknown in unmapped resources too.
    assert!(is_unknown(prop(&g, "random_id.suffix", "hex")));
}

#[test]
fn variables_are_not_resources() {
    let g = load_fixture(FARGATE);
    let td = "aws_ecs_task_definition.app";
    assert_eq!(
        text(&g, td, "ExecutionRoleArn"),
        "arn:aws:iam::123456789012:role/existing-exec"
    );
    let svc = "aws_ecs_service.app[0]";
    assert!(text(&g, svc, "Cluster").ends_with(":cluster/shared"));
}

#[test]
fn unknown_lists_get_one_reference_per_resource() {
    let g = load_fixture(FARGATE);
    let svc = "aws_ecs_service.app[0]";
    let subnets: Vec<String> = prop(&g, svc, "NetworkConfiguration.AwsvpcConfiguration.Subnets")
        .items()
        .iter()
        .map(|s| reference(s).1)
        .collect();
    assert_eq!(subnets, ["aws_subnet.a", "data.aws_subnet.b"]);
    assert_eq!(
        text(
            &g,
            svc,
            "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"
        ),
        "ENABLED"
    );
    let ep = "aws_vpc_endpoint.ecr_api";
    assert_eq!(prop(&g, ep, "SubnetIds").items().len(), 2);
    assert_eq!(
        reference(&prop(&g, ep, "SecurityGroupIds").items()[0]).1,
        "aws_security_group.app"
    );
}

/// `subnet_id = aws_subnet.private[count.index].id` is listed as `["aws_subnet.private",
/// "count.index"]`: each association takes the subnet with its own index (or key, with
/// `each.key`), not the first one of them all.
#[test]
fn count_index_and_each_key_pick_the_instance_with_the_same_key() {
    let resource = |address: &str, rtype: &str, name: &str, index: &str| {
        format!(
            r#"{{"address": "{address}", "mode": "managed", "type": "{rtype}", "name": "{name}", "index": {index}, "values": {{}}}}"#
        )
    };
    let change = |address: &str| {
        format!(
            r#"{{"address": "{address}", "change": {{"actions": ["create"], "after_unknown": {{"id": true, "subnet_id": true}}}}}}"#
        )
    };
    let config = |name: &str, refs: &str| {
        format!(
            r#"{{"address": "aws_route_table_association.{name}", "mode": "managed", "type": "aws_route_table_association", "name": "{name}",
                "expressions": {{"subnet_id": {{"references": [{refs}]}}}}}}"#
        )
    };
    let addresses = [
        ("aws_subnet.a[0]", "aws_subnet", "a", "0"),
        ("aws_subnet.a[1]", "aws_subnet", "a", "1"),
        (r#"aws_subnet.b[\"x\"]"#, "aws_subnet", "b", r#""x""#),
        (r#"aws_subnet.b[\"y\"]"#, "aws_subnet", "b", r#""y""#),
        (
            "aws_route_table_association.a[0]",
            "aws_route_table_association",
            "a",
            "0",
        ),
        (
            "aws_route_table_association.a[1]",
            "aws_route_table_association",
            "a",
            "1",
        ),
        (
            r#"aws_route_table_association.b[\"y\"]"#,
            "aws_route_table_association",
            "b",
            r#""y""#,
        ),
        (
            "aws_route_table_association.first[1]",
            "aws_route_table_association",
            "first",
            "1",
        ),
    ];
    let resources: Vec<String> = addresses
        .iter()
        .map(|(a, t, n, i)| resource(a, t, n, i))
        .collect();
    let changes: Vec<String> = addresses.iter().map(|(a, ..)| change(a)).collect();
    let configs = [
        config("a", r#""aws_subnet.a", "count.index""#),
        config("b", r#""aws_subnet.b", "each.key""#),
        // No key in the expression: the first instance stands for them all, as before.
        config("first", r#""aws_subnet.a""#),
    ];
    let text = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [{}]}}}},
            "resource_changes": [{}], "configuration": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(", "),
        changes.join(", "),
        configs.join(", ")
    );
    let Outcome::Loaded { graph, .. } = load_text("plan.json", &text) else {
        panic!("not loaded");
    };
    let subnet = |id: &str| reference(prop(&graph, id, "SubnetId")).1;
    assert_eq!(
        subnet("aws_route_table_association.a[0]"),
        "aws_subnet.a[0]"
    );
    assert_eq!(
        subnet("aws_route_table_association.a[1]"),
        "aws_subnet.a[1]"
    );
    assert_eq!(
        subnet(r#"aws_route_table_association.b["y"]"#),
        r#"aws_subnet.b["y"]"#
    );
    assert_eq!(
        subnet("aws_route_table_association.first[1]"),
        "aws_subnet.a[0]"
    );
}

#[test]
fn inline_role_policies_and_managed_policy_attachments() {
    let g = load_fixture(FARGATE);
    let policy = "aws_iam_role_policy.task";
    assert_eq!(
        reference(prop(&g, policy, "Roles[0]")).1,
        "aws_iam_role.task"
    );
    assert_eq!(
        text(&g, policy, "PolicyDocument.Statement[0].Action[0]"),
        "ssm:GetParameters"
    );
    // Attached through an `aws_iam_policy` of the plan: a reference to it.
    let arns = prop(&g, "aws_iam_role.task", "ManagedPolicyArns").items();
    assert_eq!(
        reference(&arns[0]),
        (
            "Fn::GetAtt".into(),
            "aws_iam_policy.exec_ssm".into(),
            Some("arn".into())
        )
    );
    assert!(has_edge(
        &g,
        "aws_iam_role.task",
        "ManagedPolicyArns[0]",
        "aws_iam_policy.exec_ssm",
        EdgeKind::GetAtt("arn".into())
    ));
    let egress = prop(&g, "aws_security_group.app", "SecurityGroupEgress").items();
    assert_eq!(egress[0].get("CidrIp").unwrap().as_str(), Some("0.0.0.0/0"));
}

#[test]
fn a_format_0_1_plan_loads() {
    let g = load_fixture("format-0.1.json");
    assert_eq!(
        reference(prop(&g, "aws_ecs_service.web", "Cluster")),
        ("Ref".into(), "aws_ecs_cluster.main".into(), None)
    );
    assert_eq!(
        text(
            &g,
            "aws_ecs_task_definition.web",
            "ContainerDefinitions[0].Image"
        ),
        "nginx"
    );
    assert!(has_edge(
        &g,
        "aws_ecs_service.web",
        "TaskDefinition",
        "aws_ecs_task_definition.web",
        EdgeKind::Ref
    ));
}

#[test]
fn a_plan_without_planned_values_uses_the_changes() {
    let g = load_fixture("resource-changes-only.json");
    let ids: Vec<&str> = g.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["aws_iam_role.kept", "aws_ecs_cluster.new"]);
    assert_eq!(text(&g, "aws_ecs_cluster.new", "ClusterName"), "new");
}

/// Root outputs are what a configuration hands to others (`terraform_remote_state`): they
/// become the graph's `Outputs`, `{name: {Value: …}}`, one entry per resource they name.
#[test]
fn root_outputs_name_the_resources_they_hand_out() {
    let g = load_fixture("root-outputs.json");
    let outputs = g.outputs.as_ref().expect("root outputs are read");
    let values = |name: &str| -> Vec<&Node> {
        outputs
            .entries()
            .iter()
            .filter(|e| e.key == name)
            .map(|e| e.value.get("Value").expect("Value"))
            .collect()
    };
    // Through a module output, down to a counted instance.
    let cluster = values("cluster_name");
    assert_eq!(cluster.len(), 1);
    assert_eq!(
        reference(cluster[0]),
        (
            "Fn::GetAtt".into(),
            "module.cluster.aws_ecs_cluster.this[0]".into(),
            Some("name".into())
        )
    );
    assert_eq!(
        reference(values("service_name")[0]),
        (
            "Fn::GetAtt".into(),
            "aws_ecs_service.web".into(),
            Some("name".into())
        )
    );
    // `aws_subnet.app[*].id`: every instance.
    let subnets: Vec<String> = values("app_subnet_ids")
        .into_iter()
        .map(|v| reference(v).1)
        .collect();
    assert_eq!(subnets, ["aws_subnet.app[0]", "aws_subnet.app[1]"]);
    assert_eq!(values("region")[0].as_str(), Some("eu-west-1"));
    assert!(values("log_level").is_empty());
    // The output's name points into the configuration.
    let entry = outputs
        .entries()
        .iter()
        .find(|e| e.key == "cluster_name")
        .unwrap();
    let configuration = g.source.text.find("\"configuration\"").unwrap();
    assert!(entry.key_span.start > configuration);
    assert_eq!(&g.source.text[entry.key_span.clone()], "\"cluster_name\"");
    // Outputs are no references: the cluster has none but the service's.
    let cluster = g
        .resource("module.cluster.aws_ecs_cluster.this[0]")
        .unwrap();
    let referrers: Vec<&str> = g
        .edges_to(cluster)
        .map(|e| g.resources[e.from].id.as_str())
        .collect();
    assert_eq!(referrers, ["aws_ecs_service.web"]);

    // Without a configuration nothing says what an output names.
    let bare = r#"{"format_version": "1.2", "planned_values": {"outputs": {"x": {"sensitive": false}}, "root_module": {}}}"#;
    let Outcome::Loaded { graph, .. } = load_text("plan.json", bare) else {
        panic!("not loaded");
    };
    assert!(graph.outputs.is_none());
}

fn load_text(path: &str, text: &str) -> Outcome {
    load::load(path, text.as_bytes().to_vec())
}

fn failure(outcome: Outcome) -> String {
    match outcome {
        Outcome::Failed { errors, .. } => errors[0].message.clone(),
        Outcome::Loaded { .. } | Outcome::Documents(_) => panic!("loaded"),
        Outcome::Skipped => panic!("skipped"),
    }
}

#[test]
fn broken_plans_fail_cleanly() {
    let message = failure(load_text(
        "plan.json",
        r#"{"format_version": "1.2", "planned_values": {"#,
    ));
    assert!(message.contains("invalid JSON"), "{message}");
    let message = failure(load_text("plan.json", r#"{"format_version": "1.2"}"#));
    assert!(message.contains("not a Terraform plan"), "{message}");
    let message = failure(load_text(
        "plan.json",
        r#"{"format_version": "2.0", "planned_values": {"root_module": {}}}"#,
    ));
    assert!(message.contains("format_version 2.0"), "{message}");
    assert!(matches!(
        load_text("package.json", r#"{"name": "x", "version": "1.0.0"}"#),
        Outcome::Skipped
    ));
}

#[test]
fn odd_shapes_load_without_panics() {
    for text in [
        r#"{"format_version": "1.2", "planned_values": {}}"#,
        r#"{"format_version": "1.2", "planned_values": [], "resource_changes": {}}"#,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": "x", "child_modules": [1, null]}}}"#,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "aws_ecs_service.x", "type": "aws_ecs_service", "values": 5}, {"address": 1}]}},
            "resource_changes": [{"address": "aws_ecs_service.x", "change": {"actions": "create", "after_unknown": "yes"}}],
            "configuration": {"root_module": {"resources": [{"type": "aws_ecs_service", "name": "x", "expressions": {"cluster": {"references": ["var", "module.m", "aws_x", "", "data.a"]}}}], "module_calls": {"m": null}}}}"#,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "module.a[\"x.y\"].aws_ecs_service.s[\"k\"]", "mode": "managed", "type": "aws_ecs_service", "name": "s", "values": {"cluster": null, "network_configuration": {"subnets": "s"}, "capacity_provider_strategy": {"capacity_provider": 1}}}]}},
            "resource_changes": [{"address": "module.a[\"x.y\"].aws_ecs_service.s[\"k\"]", "change": {"actions": ["create"], "after_unknown": {"cluster": true, "network_configuration": true}}}],
            "configuration": {"root_module": {"module_calls": {"a": {"expressions": {"c": {"references": ["module.a.out", "var.c"]}}, "module": {"resources": [{"mode": "managed", "type": "aws_ecs_service", "name": "s", "expressions": {"cluster": {"references": ["var.c"]}}}]}}}}}}"#,
    ] {
        match load_text("plan.json", text) {
            Outcome::Loaded { .. } => {}
            Outcome::Failed { errors, .. } => panic!("{text}: {errors:?}"),
            Outcome::Skipped | Outcome::Documents(_) => panic!("{text}: skipped"),
        }
    }
}

/// `module.a.o` → `var.x` → the module call passes `module.a.o` again, with a wide fan-out at
/// each step: the lookup must end, and quickly.
#[test]
fn cyclic_module_references_end() {
    let refs: Vec<String> = (0..40).map(|i| format!("\"module.a.o{i}\"")).collect();
    let refs = refs.join(", ");
    let outputs: Vec<String> = (0..40)
        .map(|i| {
            format!("\"o{i}\": {{\"expression\": {{\"references\": [\"var.x\", \"var.y\"]}}}}")
        })
        .collect();
    let text = format!(
        r#"{{"format_version": "1.2",
            "planned_values": {{"root_module": {{"resources": [{{"address": "aws_ecs_service.s", "mode": "managed", "type": "aws_ecs_service", "name": "s", "values": {{}}}}]}}}},
            "resource_changes": [{{"address": "aws_ecs_service.s", "change": {{"actions": ["create"], "after_unknown": {{"cluster": true}}}}}}],
            "configuration": {{"root_module": {{
                "resources": [{{"mode": "managed", "type": "aws_ecs_service", "name": "s", "expressions": {{"cluster": {{"references": [{refs}]}}}}}}],
                "module_calls": {{"a": {{"expressions": {{"x": {{"references": [{refs}]}}, "y": {{"references": [{refs}]}}}},
                                       "module": {{"outputs": {{{outputs}}}, "module_calls": {{"a": {{"expressions": {{"x": {{"references": [{refs}]}}}}}}}}}}}}}}}}}}}}"#,
        outputs = outputs.join(", ")
    );
    let start = std::time::Instant::now();
    let Outcome::Loaded { graph, .. } = load_text("plan.json", &text) else {
        panic!("not loaded");
    };
    assert!(is_unknown(prop(&graph, "aws_ecs_service.s", "Cluster")));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// Every plan of the shared corpus loads or fails cleanly; the tally is printed
/// (`cargo test --test tfplan -- --nocapture`).
#[test]
#[cfg_attr(
    not(ecslint_corpus),
    ignore = "needs the corpus: ../shared/corpus or ECSLINT_CORPUS=DIR"
)]
fn corpus_plans_load() {
    let dir = Path::new(option_env!("ECSLINT_CORPUS_DIR").unwrap_or_default()).join("tfplan");
    let (mut loaded, mut skipped, mut resources, mut mapped, mut edges) = (0, 0, 0, 0, 0);
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.expect("readable corpus");
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let bytes = std::fs::read(path).expect("readable file");
        let outcome = std::panic::catch_unwind(|| load::load(&name, bytes))
            .unwrap_or_else(|_| panic!("loading {name} panicked"));
        match outcome {
            Outcome::Loaded { graph, .. } => {
                loaded += 1;
                resources += graph.resources.len();
                mapped += graph
                    .resources
                    .iter()
                    .filter(|r| r.rtype.contains("::"))
                    .count();
                edges += graph.edges.len();
            }
            Outcome::Failed { errors, .. } => {
                let kind = errors[0]
                    .message
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                failed.entry(kind).or_default().push(name);
            }
            Outcome::Skipped | Outcome::Documents(_) => skipped += 1,
        }
    }
    eprintln!(
        "corpus plans: {loaded} loaded ({resources} resources, {mapped} mapped, {edges} edges), {skipped} skipped"
    );
    for (kind, files) in &failed {
        eprintln!("  failed, {kind}: {}", files.join(", "));
    }
    assert!(loaded > 300, "only {loaded} plans loaded");
}

/// What a binding does not map is unknown, at every map it builds; what it maps and the plan
/// leaves out, or what is no CloudFormation property there, is absent.
#[test]
fn properties_a_binding_does_not_map_are_unknown() {
    let g = load_fixture(ECS);
    let unmapped = |id: &str, path: &str, key: &str| {
        let map = if path.is_empty() {
            resource(&g, id).properties.as_ref().expect("properties")
        } else {
            prop(&g, id, path)
        };
        assert!(map.get(key).is_none(), "{id}.{path}.{key} is set");
        g.unmapped(map, key)
    };
    let lt = "aws_launch_template.ecs";
    // Top level, a dotted wrapper, a nested block, a split-off inline block.
    let why = unmapped(lt, "", "TagSpecifications").expect("unknown");
    assert!(why.contains("`aws_launch_template`"), "{why}");
    assert!(unmapped(lt, "LaunchTemplateData", "BlockDeviceMappings").is_some());
    assert!(unmapped("aws_ecs_cluster.main", "", "ServiceConnectDefaults").is_some());
    assert!(unmapped("aws_route_table.public.route[0]", "", "CarrierGatewayId").is_some());
    // No CloudFormation property of a launch template (a launch configuration's).
    assert!(unmapped(lt, "", "UserData").is_none());
    assert!(unmapped(lt, "", "NoSuchProperty").is_none());
    // Mapped, and not in the plan.
    assert!(unmapped("aws_route_table.public.route[0]", "", "NatGatewayId").is_none());
    // Types without a binding keep their plan values, which are whole.
    let attachment = "module.app.aws_iam_role_policy_attachment.exec";
    assert!(unmapped(attachment, "", "anything").is_none());

    // What rule files are warned of when they load (`bindings::unmapped_by`) is unknown in
    // every resource of the plan read as that type.
    let mut checked = 0;
    for r in &g.resources {
        let (Some(props), Some(all)) = (&r.properties, bindings::cfn_properties(&r.rtype)) else {
            continue;
        };
        for key in all.iter().filter(|k| props.get(k).is_none()) {
            if !bindings::unmapped_by(&r.rtype, &[key]).is_empty() {
                assert!(g.unmapped(props, key).is_some(), "{}.{key}", r.id);
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked}");
    let by = |cfn: &str, path: &[&str]| bindings::unmapped_by(cfn, path);
    assert_eq!(
        by(
            "AWS::EC2::LaunchTemplate",
            &["LaunchTemplateData", "BlockDeviceMappings"]
        ),
        ["aws_launch_template"]
    );
    assert!(by("AWS::EC2::LaunchTemplate", &["UserData"]).is_empty());
    assert!(by("AWS::EC2::Route", &["NatGatewayId"]).is_empty());
}
