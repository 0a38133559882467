//! Terraform → CloudFormation model map: which CloudFormation type a Terraform resource type
//! stands for, and which property each of its attributes becomes.
//!
//! Rules see one model (the CloudFormation one), so this table is the only place that knows
//! Terraform attribute names. Adding a type is one `Binding` entry; conversions that are more
//! than a rename (a JSON string, a bool that CloudFormation spells `ENABLED`, camelCase keys)
//! are small named decoder functions.
//!
//! Input to the table is a resource's planned values after the plan loader has marked unknown
//! values and put references in (`load::tfplan`); output is a CloudFormation `Properties` map.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::load::json;
use crate::node::{Entry, Kind, Node};
use crate::source::Span;

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
}

/// One attribute. `cfn` may be a dotted path: `LaunchTemplateData.ImageId` puts a top-level
/// Terraform attribute inside a CloudFormation wrapper property.
pub struct Field {
    pub tf: &'static str,
    pub cfn: &'static str,
    pub shape: Shape,
}

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
    Decode(Decoder),
    /// A conversion of text content (JSON documents, user data). References found in the
    /// configuration are interpolated into such text, so they never replace it.
    Content(Decoder),
}

pub type Decoder = fn(&Input) -> Option<Node>;

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

pub const FOLDS: &[Fold] = &[
    Fold {
        tf: "aws_iam_role_policy_attachment",
        by: "role",
        target: "AWS::IAM::Role",
        value: "policy_arn",
        into: "ManagedPolicyArns",
    },
    Fold {
        tf: "aws_iam_policy_attachment",
        by: "roles",
        target: "AWS::IAM::Role",
        value: "policy_arn",
        into: "ManagedPolicyArns",
    },
];

use Shape::{Block, Blocks, Computed, Content, Decode, List, Value};

const fn f(tf: &'static str, cfn: &'static str, shape: Shape) -> Field {
    Field { tf, cfn, shape }
}

const fn b(tf: &'static str, cfn: &'static str, fields: &'static [Field]) -> Binding {
    Binding {
        tf,
        cfn,
        fields,
        children: &[],
        absent: &[],
    }
}

const STRATEGY: &[Field] = &[
    f("capacity_provider", "CapacityProvider", Value),
    f("base", "Base", Value),
    f("weight", "Weight", Value),
];

const LAUNCH_TEMPLATE_SPEC: &[Field] = &[
    f("launch_template_id", "LaunchTemplateId", Computed(&Value)),
    f(
        "launch_template_name",
        "LaunchTemplateName",
        Computed(&Value),
    ),
    f("version", "Version", Value),
];

/// The fields of a route. Inline in `aws_route_table` and as `aws_route` they differ only in
/// the names of the two CIDR destinations, and a standalone route also names its table. The
/// provider writes "" for the destinations and targets not set.
macro_rules! route_fields {
    ($cidr:literal, $ipv6:literal $(, $extra:expr)*) => {
        &[
            $($extra,)*
            f($cidr, "DestinationCidrBlock", Decode(non_empty)),
            f($ipv6, "DestinationIpv6CidrBlock", Decode(non_empty)),
            f("destination_prefix_list_id", "DestinationPrefixListId", Decode(non_empty)),
            f("gateway_id", "GatewayId", Decode(non_empty)),
            f("nat_gateway_id", "NatGatewayId", Decode(non_empty)),
            f("vpc_endpoint_id", "VpcEndpointId", Decode(non_empty)),
            f("transit_gateway_id", "TransitGatewayId", Decode(non_empty)),
            f("network_interface_id", "NetworkInterfaceId", Decode(non_empty)),
            f("egress_only_gateway_id", "EgressOnlyInternetGatewayId", Decode(non_empty)),
            f("vpc_peering_connection_id", "VpcPeeringConnectionId", Decode(non_empty)),
        ]
    };
}

const ROUTE: &[Field] = route_fields!("cidr_block", "ipv6_cidr_block");
const STANDALONE_ROUTE: &[Field] = route_fields!(
    "destination_cidr_block",
    "destination_ipv6_cidr_block",
    f("route_table_id", "RouteTableId", Value)
);

/// `aws_vpc_security_group_ingress_rule` / `egress_rule`; `$group` and `$list` name the peer
/// group and prefix list as CloudFormation spells them for the direction.
macro_rules! sg_rule_fields {
    ($group:literal, $list:literal) => {
        &[
            f("security_group_id", "GroupId", Value),
            f("ip_protocol", "IpProtocol", Value),
            f("from_port", "FromPort", Value),
            f("to_port", "ToPort", Value),
            f("cidr_ipv4", "CidrIp", Value),
            f("cidr_ipv6", "CidrIpv6", Value),
            f("referenced_security_group_id", $group, Value),
            f("prefix_list_id", $list, Value),
        ]
    };
}

const SG_INGRESS_RULE: &[Field] = sg_rule_fields!("SourceSecurityGroupId", "SourcePrefixListId");
const SG_EGRESS_RULE: &[Field] =
    sg_rule_fields!("DestinationSecurityGroupId", "DestinationPrefixListId");

/// The inline rule blocks of `aws_network_acl` and `aws_default_network_acl`, split off as
/// `AWS::EC2::NetworkAclEntry` resources; their block says the direction.
macro_rules! nacl_block {
    ($direction:expr) => {
        &[
            f("rule_no", "RuleNumber", Value),
            f("rule_no", "Egress", Decode($direction)),
            f("protocol", "Protocol", Value),
            f("action", "RuleAction", Value),
            f("cidr_block", "CidrBlock", Decode(non_empty)),
            f("ipv6_cidr_block", "Ipv6CidrBlock", Decode(non_empty)),
            f("from_port", "PortRange.From", Value),
            f("to_port", "PortRange.To", Value),
        ]
    };
}

const NACL_BLOCKS: &[Child] = &[
    Child {
        tf: "ingress",
        cfn: "AWS::EC2::NetworkAclEntry",
        parent: "NetworkAclId",
        fields: nacl_block!(inbound),
    },
    Child {
        tf: "egress",
        cfn: "AWS::EC2::NetworkAclEntry",
        parent: "NetworkAclId",
        fields: nacl_block!(outbound),
    },
];

/// `Egress: false` for an entry of an `ingress` block.
fn inbound(input: &Input) -> Option<Node> {
    Some(Node::scalar(input.span.clone(), "false", true))
}

/// `Egress: true` for an entry of an `egress` block.
fn outbound(input: &Input) -> Option<Node> {
    Some(Node::scalar(input.span.clone(), "true", true))
}

pub static BINDINGS: &[Binding] = &[
    // ECS
    b(
        "aws_ecs_task_definition",
        "AWS::ECS::TaskDefinition",
        &[
            f("family", "Family", Value),
            f(
                "container_definitions",
                "ContainerDefinitions",
                Content(container_definitions),
            ),
            f("execution_role_arn", "ExecutionRoleArn", Value),
            f("task_role_arn", "TaskRoleArn", Value),
            f("network_mode", "NetworkMode", Computed(&Value)),
            f("requires_compatibilities", "RequiresCompatibilities", List),
            f("cpu", "Cpu", Value),
            f("memory", "Memory", Value),
            f("pid_mode", "PidMode", Value),
            f("ipc_mode", "IpcMode", Value),
            f(
                "runtime_platform",
                "RuntimePlatform",
                Block(&[
                    f("cpu_architecture", "CpuArchitecture", Value),
                    f("operating_system_family", "OperatingSystemFamily", Value),
                ]),
            ),
            f(
                "ephemeral_storage",
                "EphemeralStorage",
                Block(&[f("size_in_gib", "SizeInGiB", Value)]),
            ),
            f(
                "volume",
                "Volumes",
                Blocks(&[
                    f("name", "Name", Value),
                    f("host_path", "Host.SourcePath", Value),
                    f(
                        "efs_volume_configuration",
                        "EFSVolumeConfiguration",
                        Block(&[
                            f("file_system_id", "FilesystemId", Value),
                            f("root_directory", "RootDirectory", Value),
                            f("transit_encryption", "TransitEncryption", Value),
                            f(
                                "authorization_config",
                                "AuthorizationConfig",
                                Block(&[
                                    f("access_point_id", "AccessPointId", Value),
                                    f("iam", "IAM", Value),
                                ]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ],
    ),
    b(
        "aws_ecs_service",
        "AWS::ECS::Service",
        &[
            f("name", "ServiceName", Value),
            f("cluster", "Cluster", Computed(&Value)),
            f("task_definition", "TaskDefinition", Value),
            f("launch_type", "LaunchType", Computed(&Value)),
            f(
                "capacity_provider_strategy",
                "CapacityProviderStrategy",
                Blocks(STRATEGY),
            ),
            f("enable_execute_command", "EnableExecuteCommand", Value),
            f(
                "network_configuration",
                "NetworkConfiguration.AwsvpcConfiguration",
                Block(&[
                    f("subnets", "Subnets", List),
                    f("security_groups", "SecurityGroups", List),
                    f(
                        "assign_public_ip",
                        "AssignPublicIp",
                        Decode(enabled_disabled),
                    ),
                ]),
            ),
            f("desired_count", "DesiredCount", Value),
            // ECS025. The block (provider v6) comes first: the two percentages go into it.
            f(
                "deployment_configuration",
                "DeploymentConfiguration",
                Block(&[
                    f("strategy", "Strategy", Value),
                    f("bake_time_in_minutes", "BakeTimeInMinutes", Value),
                ]),
            ),
            f(
                "deployment_maximum_percent",
                "DeploymentConfiguration.MaximumPercent",
                Value,
            ),
            f(
                "deployment_minimum_healthy_percent",
                "DeploymentConfiguration.MinimumHealthyPercent",
                Value,
            ),
            f(
                "deployment_controller",
                "DeploymentController",
                Block(&[f("type", "Type", Value)]),
            ),
            f("platform_version", "PlatformVersion", Computed(&Value)),
            f("scheduling_strategy", "SchedulingStrategy", Value),
            f("iam_role", "Role", Computed(&Value)),
            f(
                "load_balancer",
                "LoadBalancers",
                Blocks(&[
                    f("target_group_arn", "TargetGroupArn", Value),
                    f("elb_name", "LoadBalancerName", Value),
                    f("container_name", "ContainerName", Value),
                    f("container_port", "ContainerPort", Value),
                ]),
            ),
            f(
                "service_registries",
                "ServiceRegistries",
                Blocks(&[
                    f("registry_arn", "RegistryArn", Value),
                    f("container_name", "ContainerName", Value),
                    f("container_port", "ContainerPort", Value),
                    f("port", "Port", Value),
                ]),
            ),
            // ECS023: Service Connect is Linux-only.
            f(
                "service_connect_configuration",
                "ServiceConnectConfiguration",
                Block(&[
                    f("enabled", "Enabled", Value),
                    f("namespace", "Namespace", Value),
                ]),
            ),
            // ECS026: the infrastructure role of Amazon EBS volumes.
            f(
                "volume_configuration",
                "VolumeConfigurations",
                Blocks(&[
                    f("name", "Name", Value),
                    f(
                        "managed_ebs_volume",
                        "ManagedEBSVolume",
                        Block(&[f("role_arn", "RoleArn", Value)]),
                    ),
                ]),
            ),
        ],
    ),
    b(
        "aws_ecs_cluster",
        "AWS::ECS::Cluster",
        &[
            f("name", "ClusterName", Value),
            f(
                "setting",
                "ClusterSettings",
                Blocks(&[f("name", "Name", Value), f("value", "Value", Value)]),
            ),
            f(
                "configuration",
                "Configuration",
                Block(&[f(
                    "execute_command_configuration",
                    "ExecuteCommandConfiguration",
                    Block(&[
                        f("kms_key_id", "KmsKeyId", Value),
                        f("logging", "Logging", Value),
                        f(
                            "log_configuration",
                            "LogConfiguration",
                            Block(&[
                                f(
                                    "cloud_watch_log_group_name",
                                    "CloudWatchLogGroupName",
                                    Value,
                                ),
                                f(
                                    "cloud_watch_encryption_enabled",
                                    "CloudWatchEncryptionEnabled",
                                    Value,
                                ),
                                f("s3_bucket_name", "S3BucketName", Value),
                                f("s3_bucket_encryption_enabled", "S3EncryptionEnabled", Value),
                                f("s3_key_prefix", "S3KeyPrefix", Value),
                            ]),
                        ),
                    ]),
                )]),
            ),
            // Removed in provider v5 but still in older plans; CloudFormation has both too.
            f("capacity_providers", "CapacityProviders", Computed(&List)),
            f(
                "default_capacity_provider_strategy",
                "DefaultCapacityProviderStrategy",
                Computed(&Blocks(STRATEGY)),
            ),
        ],
    ),
    b(
        "aws_ecs_capacity_provider",
        "AWS::ECS::CapacityProvider",
        &[
            f("name", "Name", Value),
            f(
                "auto_scaling_group_provider",
                "AutoScalingGroupProvider",
                Block(&[
                    f("auto_scaling_group_arn", "AutoScalingGroupArn", Value),
                    f(
                        "managed_scaling",
                        "ManagedScaling",
                        Computed(&Block(&[
                            f("status", "Status", Value),
                            f("target_capacity", "TargetCapacity", Value),
                            f("minimum_scaling_step_size", "MinimumScalingStepSize", Value),
                            f("maximum_scaling_step_size", "MaximumScalingStepSize", Value),
                            f("instance_warmup_period", "InstanceWarmupPeriod", Value),
                        ])),
                    ),
                    f(
                        "managed_termination_protection",
                        "ManagedTerminationProtection",
                        Computed(&Value),
                    ),
                    f("managed_draining", "ManagedDraining", Computed(&Value)),
                ]),
            ),
            f(
                "managed_instances_provider",
                "ManagedInstancesProvider",
                Block(&[
                    f("infrastructure_role_arn", "InfrastructureRoleArn", Value),
                    f(
                        "instance_launch_template",
                        "InstanceLaunchTemplate",
                        Block(&[
                            f("ec2_instance_profile_arn", "Ec2InstanceProfileArn", Value),
                            f(
                                "network_configuration",
                                "NetworkConfiguration",
                                Block(&[
                                    f("subnets", "Subnets", Value),
                                    f("security_groups", "SecurityGroups", Value),
                                ]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ],
    ),
    b(
        "aws_ecs_cluster_capacity_providers",
        "AWS::ECS::ClusterCapacityProviderAssociations",
        &[
            f("cluster_name", "Cluster", Value),
            f("capacity_providers", "CapacityProviders", List),
            f(
                "default_capacity_provider_strategy",
                "DefaultCapacityProviderStrategy",
                Blocks(STRATEGY),
            ),
        ],
    ),
    // EC2 capacity
    b(
        "aws_autoscaling_group",
        "AWS::AutoScaling::AutoScalingGroup",
        &[
            f("name", "AutoScalingGroupName", Value),
            f("launch_configuration", "LaunchConfigurationName", Value),
            f(
                "launch_template",
                "LaunchTemplate",
                Block(&[
                    f("id", "LaunchTemplateId", Computed(&Value)),
                    f("name", "LaunchTemplateName", Computed(&Value)),
                    f("version", "Version", Value),
                ]),
            ),
            f(
                "mixed_instances_policy",
                "MixedInstancesPolicy",
                Block(&[f(
                    "launch_template",
                    "LaunchTemplate",
                    Block(&[
                        f(
                            "launch_template_specification",
                            "LaunchTemplateSpecification",
                            Block(LAUNCH_TEMPLATE_SPEC),
                        ),
                        f(
                            "override",
                            "Overrides",
                            Blocks(&[
                                f("instance_type", "InstanceType", Value),
                                // ECS024: whether types are chosen by attributes.
                                f("instance_requirements", "InstanceRequirements", Block(&[])),
                                f(
                                    "launch_template_specification",
                                    "LaunchTemplateSpecification",
                                    Block(LAUNCH_TEMPLATE_SPEC),
                                ),
                            ]),
                        ),
                    ]),
                )]),
            ),
            f("vpc_zone_identifier", "VPCZoneIdentifier", Computed(&List)),
            f("availability_zones", "AvailabilityZones", Computed(&List)),
            f("min_size", "MinSize", Value),
            f("max_size", "MaxSize", Value),
            f("desired_capacity", "DesiredCapacity", Computed(&Value)),
            f(
                "protect_from_scale_in",
                "NewInstancesProtectedFromScaleIn",
                Value,
            ),
            f(
                "tag",
                "Tags",
                Blocks(&[
                    f("key", "Key", Value),
                    f("value", "Value", Value),
                    f("propagate_at_launch", "PropagateAtLaunch", Value),
                ]),
            ),
        ],
    ),
    b(
        "aws_launch_template",
        "AWS::EC2::LaunchTemplate",
        &[
            f("name", "LaunchTemplateName", Value),
            f("image_id", "LaunchTemplateData.ImageId", Value),
            f("instance_type", "LaunchTemplateData.InstanceType", Value),
            f(
                "instance_requirements",
                "LaunchTemplateData.InstanceRequirements",
                Block(&[]),
            ),
            f(
                "iam_instance_profile",
                "LaunchTemplateData.IamInstanceProfile",
                Block(&[
                    f("arn", "Arn", Decode(non_empty)),
                    f("name", "Name", Decode(non_empty)),
                ]),
            ),
            f(
                "user_data",
                "LaunchTemplateData.UserData",
                Content(launch_template_user_data),
            ),
            f(
                "network_interfaces",
                "LaunchTemplateData.NetworkInterfaces",
                Blocks(&[
                    f(
                        "associate_public_ip_address",
                        "AssociatePublicIpAddress",
                        Decode(non_empty),
                    ),
                    f("subnet_id", "SubnetId", Decode(non_empty)),
                    f("security_groups", "Groups", List),
                    f("device_index", "DeviceIndex", Value),
                ]),
            ),
            f(
                "vpc_security_group_ids",
                "LaunchTemplateData.SecurityGroupIds",
                List,
            ),
            f(
                "metadata_options",
                "LaunchTemplateData.MetadataOptions",
                Computed(&Block(&[
                    f("http_endpoint", "HttpEndpoint", Computed(&Value)),
                    f("http_tokens", "HttpTokens", Computed(&Value)),
                    f(
                        "http_put_response_hop_limit",
                        "HttpPutResponseHopLimit",
                        Computed(&Value),
                    ),
                ])),
            ),
        ],
    ),
    b(
        "aws_launch_configuration",
        "AWS::AutoScaling::LaunchConfiguration",
        &[
            f("name", "LaunchConfigurationName", Value),
            f("image_id", "ImageId", Value),
            f("instance_type", "InstanceType", Value),
            f("iam_instance_profile", "IamInstanceProfile", Value),
            f(
                "user_data",
                "UserData",
                Content(launch_configuration_user_data),
            ),
            f("security_groups", "SecurityGroups", List),
            f(
                "associate_public_ip_address",
                "AssociatePublicIpAddress",
                Value,
            ),
        ],
    ),
    // IAM
    b(
        "aws_iam_role",
        "AWS::IAM::Role",
        &[
            f("name", "RoleName", Value),
            f("path", "Path", Value),
            f(
                "assume_role_policy",
                "AssumeRolePolicyDocument",
                Content(json_document),
            ),
            // Both are Computed: they only list what is attached, which the plan shows as
            // separate resources (folded in through `FOLDS`, or `AWS::IAM::Policy`).
            f(
                "inline_policy",
                "Policies",
                Computed(&Blocks(&[
                    f("name", "PolicyName", Decode(non_empty)),
                    f("policy", "PolicyDocument", Content(json_document)),
                ])),
            ),
            f("managed_policy_arns", "ManagedPolicyArns", Computed(&List)),
            f("permissions_boundary", "PermissionsBoundary", Value),
        ],
    ),
    b(
        "aws_iam_role_policy",
        "AWS::IAM::Policy",
        &[
            f("name", "PolicyName", Value),
            f("policy", "PolicyDocument", Content(json_document)),
            f("role", "Roles", Decode(one_item_list)),
        ],
    ),
    b(
        "aws_iam_policy",
        "AWS::IAM::ManagedPolicy",
        &[
            f("name", "ManagedPolicyName", Value),
            f("path", "Path", Value),
            f("policy", "PolicyDocument", Content(json_document)),
        ],
    ),
    b(
        "aws_iam_instance_profile",
        "AWS::IAM::InstanceProfile",
        &[
            f("name", "InstanceProfileName", Value),
            f("path", "Path", Value),
            f("role", "Roles", Decode(one_item_list)),
        ],
    ),
    // Networking
    b(
        "aws_vpc",
        "AWS::EC2::VPC",
        &[
            f("cidr_block", "CidrBlock", Value),
            f("enable_dns_support", "EnableDnsSupport", Value),
            f(
                "enable_dns_hostnames",
                "EnableDnsHostnames",
                Computed(&Value),
            ),
        ],
    ),
    b(
        "aws_subnet",
        "AWS::EC2::Subnet",
        &[
            f("vpc_id", "VpcId", Value),
            f("cidr_block", "CidrBlock", Value),
            f("availability_zone", "AvailabilityZone", Computed(&Value)),
            f("map_public_ip_on_launch", "MapPublicIpOnLaunch", Value),
        ],
    ),
    // CloudFormation attaches a gateway with `AWS::EC2::VPCGatewayAttachment`; keeping
    // `VpcId` on the gateway itself gives rules the same link in one hop.
    b(
        "aws_internet_gateway",
        "AWS::EC2::InternetGateway",
        &[f("vpc_id", "VpcId", Value)],
    ),
    b(
        "aws_nat_gateway",
        "AWS::EC2::NatGateway",
        &[
            f("subnet_id", "SubnetId", Value),
            f("connectivity_type", "ConnectivityType", Value),
            f("allocation_id", "AllocationId", Value),
        ],
    ),
    Binding {
        tf: "aws_route_table",
        cfn: "AWS::EC2::RouteTable",
        fields: &[f("vpc_id", "VpcId", Value)],
        children: &[Child {
            tf: "route",
            cfn: "AWS::EC2::Route",
            parent: "RouteTableId",
            fields: ROUTE,
        }],
        absent: &[],
    },
    b("aws_route", "AWS::EC2::Route", STANDALONE_ROUTE),
    b(
        "aws_route_table_association",
        "AWS::EC2::SubnetRouteTableAssociation",
        &[
            f("subnet_id", "SubnetId", Decode(non_empty)),
            f("route_table_id", "RouteTableId", Value),
        ],
    ),
    // ECS012: DHCP options may send a VPC's DNS lookups to other name servers.
    b(
        "aws_vpc_dhcp_options_association",
        "AWS::EC2::VPCDHCPOptionsAssociation",
        &[
            f("vpc_id", "VpcId", Value),
            f("dhcp_options_id", "DhcpOptionsId", Value),
        ],
    ),
    b(
        "aws_vpc_endpoint",
        "AWS::EC2::VPCEndpoint",
        &[
            f("vpc_id", "VpcId", Value),
            f("service_name", "ServiceName", Value),
            f(
                "vpc_endpoint_type",
                "VpcEndpointType",
                Decode(default_gateway),
            ),
            f("subnet_ids", "SubnetIds", Computed(&List)),
            f("route_table_ids", "RouteTableIds", Computed(&List)),
            f("security_group_ids", "SecurityGroupIds", Computed(&List)),
            f("private_dns_enabled", "PrivateDnsEnabled", Computed(&Value)),
            f(
                "policy",
                "PolicyDocument",
                Computed(&Content(json_document)),
            ),
        ],
    ),
    // `ingress`/`egress` are Computed too, but an unconfigured one is not CloudFormation's
    // "absent" (Terraform removes the default allow-all egress), so unknown stays unknown.
    b(
        "aws_security_group",
        "AWS::EC2::SecurityGroup",
        &[
            f("name", "GroupName", Value),
            f("description", "GroupDescription", Value),
            f("vpc_id", "VpcId", Computed(&Value)),
            f("ingress", "SecurityGroupIngress", Decode(sg_ingress)),
            f("egress", "SecurityGroupEgress", Decode(sg_egress)),
        ],
    ),
    b(
        "aws_vpc_security_group_egress_rule",
        "AWS::EC2::SecurityGroupEgress",
        SG_EGRESS_RULE,
    ),
    b(
        "aws_vpc_security_group_ingress_rule",
        "AWS::EC2::SecurityGroupIngress",
        SG_INGRESS_RULE,
    ),
    // Other services the rules follow
    Binding {
        // The definition is always the JSON string `definition`.
        absent: &["Definition", "DefinitionS3Location"],
        ..b(
            "aws_sfn_state_machine",
            "AWS::StepFunctions::StateMachine",
            &[
                f("name", "StateMachineName", Value),
                // Kept as the JSON string, as CloudFormation's DefinitionString is.
                f("definition", "DefinitionString", Content(text)),
                f("role_arn", "RoleArn", Value),
                f("type", "StateMachineType", Value),
            ],
        )
    },
    b(
        "aws_kms_key",
        "AWS::KMS::Key",
        &[
            f("description", "Description", Value),
            f("key_usage", "KeyUsage", Value),
            f("enable_key_rotation", "EnableKeyRotation", Value),
            f("policy", "KeyPolicy", Computed(&Content(json_document))),
        ],
    ),
    b(
        "aws_kms_alias",
        "AWS::KMS::Alias",
        &[
            f("name", "AliasName", Value),
            f("target_key_id", "TargetKeyId", Value),
        ],
    ),
    b(
        "aws_secretsmanager_secret",
        "AWS::SecretsManager::Secret",
        &[f("name", "Name", Value), f("kms_key_id", "KmsKeyId", Value)],
    ),
    b(
        "aws_ssm_parameter",
        "AWS::SSM::Parameter",
        &[
            f("name", "Name", Value),
            f("type", "Type", Value),
            f("value", "Value", Decode(secret_or_insecure_value)),
            // Not a CloudFormation property (it cannot create SecureString parameters); kept
            // so rules can see which key encrypts a SecureString.
            f("key_id", "KeyId", Value),
        ],
    ),
    b(
        "aws_cloudwatch_log_group",
        "AWS::Logs::LogGroup",
        &[
            f("name", "LogGroupName", Value),
            f("kms_key_id", "KmsKeyId", Value),
            f("retention_in_days", "RetentionInDays", Value),
        ],
    ),
    b(
        "aws_ecr_repository",
        "AWS::ECR::Repository",
        &[f("name", "RepositoryName", Value)],
    ),
    // Data sources: no CloudFormation type, so a `Data::` one in the same spirit.
    b(
        "data.aws_ssm_parameter",
        "Data::SSM::Parameter",
        &[
            f("name", "Name", Value),
            f("type", "Type", Value),
            f("value", "Value", Decode(secret_or_insecure_value)),
        ],
    ),
    b(
        "data.aws_ami",
        "Data::EC2::Image",
        &[
            f("image_id", "ImageId", Value),
            f("name", "Name", Value),
            f("name_regex", "NameRegex", Value),
            f("architecture", "Architecture", Value),
            f("owners", "Owners", List),
            f(
                "filter",
                "Filters",
                Blocks(&[f("name", "Name", Value), f("values", "Values", List)]),
            ),
        ],
    ),
    // Network ACLs (ECS013 and the `nacl_allows` built-in). `SubnetIds` (an ACL's inline
    // associations) and `DefaultFor` (the VPC whose default ACL `aws_default_network_acl`
    // manages) are not CloudFormation properties: CloudFormation has separate associations
    // and cannot manage a default ACL.
    Binding {
        tf: "aws_network_acl",
        cfn: "AWS::EC2::NetworkAcl",
        fields: &[
            f("vpc_id", "VpcId", Value),
            f("subnet_ids", "SubnetIds", Computed(&List)),
        ],
        children: NACL_BLOCKS,
        absent: &[],
    },
    Binding {
        tf: "aws_default_network_acl",
        cfn: "AWS::EC2::NetworkAcl",
        fields: &[
            f("default_network_acl_id", "DefaultFor", Value),
            f("subnet_ids", "SubnetIds", Computed(&List)),
        ],
        children: NACL_BLOCKS,
        absent: &[],
    },
    b(
        "aws_network_acl_rule",
        "AWS::EC2::NetworkAclEntry",
        &[
            f("network_acl_id", "NetworkAclId", Value),
            f("rule_number", "RuleNumber", Value),
            f("egress", "Egress", Value),
            f("protocol", "Protocol", Value),
            f("rule_action", "RuleAction", Value),
            f("cidr_block", "CidrBlock", Decode(non_empty)),
            f("ipv6_cidr_block", "Ipv6CidrBlock", Decode(non_empty)),
            f("from_port", "PortRange.From", Value),
            f("to_port", "PortRange.To", Value),
        ],
    ),
    b(
        "aws_network_acl_association",
        "AWS::EC2::SubnetNetworkAclAssociation",
        &[
            f("subnet_id", "SubnetId", Value),
            f("network_acl_id", "NetworkAclId", Value),
        ],
    ),
    // Load balancers (ECS018, ECS019, ECS020); `aws_alb_*` are the provider's older names.
    b("aws_lb_target_group", TARGET_GROUP, TARGET_GROUP_FIELDS),
    b("aws_alb_target_group", TARGET_GROUP, TARGET_GROUP_FIELDS),
    b("aws_lb_listener", LISTENER, LISTENER_FIELDS),
    b("aws_alb_listener", LISTENER, LISTENER_FIELDS),
    b("aws_lb_listener_rule", LISTENER_RULE, LISTENER_RULE_FIELDS),
    b("aws_alb_listener_rule", LISTENER_RULE, LISTENER_RULE_FIELDS),
    b("aws_lb", LOAD_BALANCER, LOAD_BALANCER_FIELDS),
    b("aws_alb", LOAD_BALANCER, LOAD_BALANCER_FIELDS),
    // ECS012, ECS015: security group rules, load balancers and prefix lists. An
    // `aws_security_group_rule` of `type = "egress"` is an `AWS::EC2::SecurityGroupEgress`
    // (`cfn_type`); its `source_security_group_id` is then the destination.
    b(
        "aws_security_group_rule",
        "AWS::EC2::SecurityGroupIngress",
        &[
            f("security_group_id", "GroupId", Value),
            f("protocol", "IpProtocol", Value),
            f("from_port", "FromPort", Value),
            f("to_port", "ToPort", Value),
            f("cidr_blocks", "CidrIp", List),
            f("ipv6_cidr_blocks", "CidrIpv6", List),
            f(
                "source_security_group_id",
                "SourceSecurityGroupId",
                Decode(non_empty),
            ),
            f("prefix_list_ids", "SourcePrefixListId", List),
            f("self", "Self", Value),
        ],
    ),
    b(
        "aws_ec2_managed_prefix_list",
        "AWS::EC2::PrefixList",
        &[
            f("name", "PrefixListName", Value),
            f("address_family", "AddressFamily", Value),
            f("entry", "Entries", Blocks(&[f("cidr", "Cidr", Value)])),
        ],
    ),
    // RunTask callers (ECS010, ECS027). Each EventBridge target is a rule of its own with one
    // target: what the rules read of a rule is its targets.
    b(
        "aws_cloudwatch_event_target",
        "AWS::Events::Rule",
        &[
            f("rule", "Name", Value),
            f("arn", "Targets.Arn", Value),
            f("role_arn", "Targets.RoleArn", Value),
            f(
                "ecs_target",
                "Targets.EcsParameters",
                Block(EVENTS_ECS_TARGET),
            ),
        ],
    ),
    b(
        "aws_scheduler_schedule",
        "AWS::Scheduler::Schedule",
        &[
            f("name", "Name", Value),
            f(
                "target",
                "Target",
                Block(&[
                    f("arn", "Arn", Value),
                    f("role_arn", "RoleArn", Value),
                    f(
                        "ecs_parameters",
                        "EcsParameters",
                        Block(SCHEDULER_ECS_PARAMETERS),
                    ),
                ]),
            ),
        ],
    ),
];

/// The ECS parameters of a RunTask target: EventBridge and Scheduler name them alike in
/// Terraform, and differ in CloudFormation only in the names of the tag list and the awsvpc
/// block. Without the network configuration, a target's would read as absent (ECS017).
macro_rules! ecs_target_fields {
    ($tags:literal, $awsvpc:literal) => {
        &[
            f("task_definition_arn", "TaskDefinitionArn", Value),
            f("launch_type", "LaunchType", Value),
            f("task_count", "TaskCount", Value),
            f("enable_execute_command", "EnableExecuteCommand", Value),
            f("enable_ecs_managed_tags", "EnableECSManagedTags", Value),
            f("propagate_tags", "PropagateTags", Value),
            f("tags", $tags, Value),
            f(
                "capacity_provider_strategy",
                "CapacityProviderStrategy",
                Blocks(STRATEGY),
            ),
            f(
                "network_configuration",
                $awsvpc,
                Block(&[
                    f("subnets", "Subnets", List),
                    f("security_groups", "SecurityGroups", List),
                    f(
                        "assign_public_ip",
                        "AssignPublicIp",
                        Decode(enabled_disabled),
                    ),
                ]),
            ),
        ]
    };
}

/// `aws_cloudwatch_event_target.ecs_target`, as `AWS::Events::Rule` `Targets[].EcsParameters`.
const EVENTS_ECS_TARGET: &[Field] =
    ecs_target_fields!("TagList", "NetworkConfiguration.AwsVpcConfiguration");

/// `aws_scheduler_schedule.target.ecs_parameters`, as `AWS::Scheduler::Schedule`
/// `Target.EcsParameters`.
const SCHEDULER_ECS_PARAMETERS: &[Field] =
    ecs_target_fields!("Tags", "NetworkConfiguration.AwsvpcConfiguration");

const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const LISTENER_RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";
const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

const TARGET_GROUP_FIELDS: &[Field] = &[
    f("name", "Name", Value),
    f("port", "Port", Value),
    f("protocol", "Protocol", Value),
    f("target_type", "TargetType", Value),
    f("vpc_id", "VpcId", Value),
    // CloudFormation spells the `health_check` block as flat `HealthCheck*` properties.
    f("health_check", "HealthCheckPort", Decode(health_check_port)),
];

/// A listener's or rule's action: forward to one target group, or to several weighted ones.
const LB_ACTION: &[Field] = &[
    f("type", "Type", Value),
    f("target_group_arn", "TargetGroupArn", Value),
    f(
        "forward",
        "ForwardConfig",
        Block(&[f(
            "target_group",
            "TargetGroups",
            Blocks(&[
                f("arn", "TargetGroupArn", Value),
                f("weight", "Weight", Value),
            ]),
        )]),
    ),
];

const LISTENER_FIELDS: &[Field] = &[
    f("load_balancer_arn", "LoadBalancerArn", Value),
    f("port", "Port", Value),
    f("protocol", "Protocol", Value),
    f("default_action", "DefaultActions", Blocks(LB_ACTION)),
];

const LISTENER_RULE_FIELDS: &[Field] = &[
    f("listener_arn", "ListenerArn", Value),
    f("priority", "Priority", Value),
    f("action", "Actions", Blocks(LB_ACTION)),
];

const LOAD_BALANCER_FIELDS: &[Field] = &[
    f("name", "Name", Value),
    f("load_balancer_type", "Type", Value),
    f("security_groups", "SecurityGroups", Computed(&List)),
    f("subnets", "Subnets", Computed(&List)),
    f(
        "subnet_mapping",
        "SubnetMappings",
        Blocks(&[f("subnet_id", "SubnetId", Value)]),
    ),
];

/// The `port` of a target group's `health_check` block (the provider plans `traffic-port`
/// when it is not set, as CloudFormation defaults `HealthCheckPort`).
pub fn health_check_port(input: &Input) -> Option<Node> {
    let block = input.value.filter(|v| !v.is_null())?;
    let item = match &block.kind {
        Kind::Seq(items) => items.first()?,
        Kind::Map(_) => block,
        _ => return Some(block.clone()),
    };
    if item.intrinsic().is_some() || !item.is_map() {
        return Some(item.clone());
    }
    item.get("port").filter(|p| !p.is_null()).cloned()
}

/// The CloudFormation type of one Terraform resource: the binding's, except for a type that
/// stands for one of several by an attribute (`aws_security_group_rule`'s `type`).
pub fn cfn_type(b: &Binding, attrs: &Node) -> &'static str {
    if b.tf == "aws_security_group_rule"
        && attrs.get("type").and_then(Node::as_str) == Some("egress")
    {
        return SG_RULE_EGRESS;
    }
    b.cfn
}

/// The type `cfn_type` gives an egress `aws_security_group_rule`.
const SG_RULE_EGRESS: &str = "AWS::EC2::SecurityGroupEgress";

/// Every resource type a plan's resources may be read as: those of the bindings, of the
/// inline blocks they split off, and the ones `cfn_type` chooses.
pub fn cfn_types() -> impl Iterator<Item = &'static str> {
    BINDINGS
        .iter()
        .flat_map(|b| std::iter::once(b.cfn).chain(b.children.iter().map(|c| c.cfn)))
        .chain([SG_RULE_EGRESS])
}

/// The binding of a Terraform type (`data.` prefixed for data sources).
pub fn binding(tf: &str) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.tf == tf)
}

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
    for b in BINDINGS {
        let egress = b.tf == "aws_security_group_rule" && cfn == SG_RULE_EGRESS;
        if b.cfn == cfn || egress {
            sources.push((b.tf, b.fields, b.absent));
        }
        for c in b.children.iter().filter(|c| c.cfn == cfn) {
            sources.push((b.tf, c.fields, &[]));
        }
    }
    // A folded-in property is filled from other resources of the plan.
    let folded = FOLDS
        .iter()
        .any(|f| f.target == cfn && path.first() == Some(&f.into));
    if folded
        || sources.is_empty()
        || !sources.iter().all(|(_, fields, absent)| {
            let all: Vec<&'static Field> = fields.iter().collect();
            !absent.contains(&path[0]) && unmapped_in(&all, 0, cfn, path)
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
            let mut shape = &f.shape;
            while let Computed(inner) = shape {
                shape = inner;
            }
            match shape {
                Block(inner) | Blocks(inner) => {
                    let all: Vec<&'static Field> = inner.iter().collect();
                    unmapped_in(&all, 0, &inner_place, rest)
                }
                // A whole value: what is inside is the plan's own.
                _ => false,
            }
        }
        // A block and wrapped fields at one key: too mixed to tell; say nothing.
        _ => false,
    }
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

/// The CloudFormation properties of a resource from its Terraform attributes (a map).
pub fn properties(fields: &'static [Field], attrs: &Node, conf: Conf) -> Node {
    Node::map(attrs.span.clone(), map_fields(fields, attrs, conf))
}

fn map_fields(fields: &'static [Field], attrs: &Node, conf: Conf) -> Vec<Entry> {
    let mut out = Vec::new();
    for field in fields {
        let entry = attrs.entry(field.tf);
        let value = entry.map(|e| &e.value);
        let input = Input {
            value,
            span: value.map_or_else(|| attrs.span.clone(), |v| v.span.clone()),
            attrs,
            conf,
            tf: field.tf,
        };
        if let Some(node) = convert(&field.shape, &input) {
            let key_span = entry.map_or_else(|| node.span.clone(), |e| e.key_span.clone());
            insert_path(&mut out, field.cfn, node, key_span);
        }
    }
    out
}

fn convert(shape: &'static Shape, input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null());
    match shape {
        Value => value.cloned(),
        List => value.map(|v| match v.kind {
            Kind::Scalar(_) | Kind::Map(_) => seq(v.span.clone(), vec![v.clone()]),
            _ => v.clone(),
        }),
        Block(fields) => {
            let v = value?;
            match &v.kind {
                Kind::Seq(items) => {
                    let item = items.first()?;
                    Some(block(fields, item, input.conf.nested(input.tf, 0)))
                }
                Kind::Map(_) => Some(block(fields, v, input.conf.nested(input.tf, 0))),
                _ => Some(v.clone()),
            }
        }
        Blocks(fields) => {
            let v = value?;
            match &v.kind {
                Kind::Seq(items) if items.is_empty() => None,
                Kind::Seq(items) => {
                    let maps = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| block(fields, item, input.conf.nested(input.tf, i)))
                        .collect();
                    Some(seq(v.span.clone(), maps))
                }
                Kind::Map(_) => Some(seq(
                    v.span.clone(),
                    vec![block(fields, v, input.conf.nested(input.tf, 0))],
                )),
                _ => Some(v.clone()),
            }
        }
        Computed(inner) => {
            let unknown = matches!(value.map(|v| &v.kind), Some(Kind::Unknown(_)));
            if unknown && input.conf.configured && input.expr().is_none() {
                None
            } else {
                convert(inner, input)
            }
        }
        Decode(decoder) | Content(decoder) => decoder(input),
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
    let all: Vec<&'static Field> = fields.iter().collect();
    partial_level(&all, 0, rtype, props, out);
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
            let mut shape = &f.shape;
            while let Computed(inner) = shape {
                shape = inner;
            }
            match shape {
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
        include_str!("../bindings/cloudformation-properties.txt")
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

/// A block item becomes a map of its fields; an unknown item stays unknown.
fn block(fields: &'static [Field], item: &Node, conf: Conf) -> Node {
    if item.is_map() && item.intrinsic().is_none() {
        Node::map(item.span.clone(), map_fields(fields, item, conf))
    } else {
        item.clone()
    }
}

/// Puts `value` at a dotted property path, creating the wrapper maps on the way.
fn insert_path(entries: &mut Vec<Entry>, path: &str, value: Node, key_span: Span) {
    let Some((head, rest)) = path.split_once('.') else {
        entries.retain(|e| e.key != path);
        entries.push(Entry {
            key: path.to_string(),
            key_span,
            value,
        });
        return;
    };
    let pos = match entries.iter().position(|e| e.key == head) {
        Some(i) => i,
        None => {
            entries.push(Entry {
                key: head.to_string(),
                key_span: key_span.clone(),
                value: Node::map(value.span.clone(), Vec::new()),
            });
            entries.len() - 1
        }
    };
    // An existing non-map (an unknown wrapper) already says all we can know.
    if let Some(Entry {
        value: Node {
            kind: Kind::Map(inner),
            ..
        },
        ..
    }) = entries.get_mut(pos)
    {
        insert_path(inner, rest, value, key_span);
    }
}

fn seq(span: Span, items: Vec<Node>) -> Node {
    Node {
        span,
        kind: Kind::Seq(items),
    }
}

/// The text of a string scalar (a JSON string, not a number or bool).
fn string(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar(s) if !s.plain => Some(&s.text),
        _ => None,
    }
}

// ---- decoders ----

/// Text kept as it is.
pub fn text(input: &Input) -> Option<Node> {
    input.value.filter(|v| !v.is_null()).cloned()
}

/// A JSON document held in a string (IAM policies) → its tree, keys as written.
pub fn json_document(input: &Input) -> Option<Node> {
    parse_json_string(input, |n| n)
}

/// `container_definitions`: a JSON string in the ECS API's camelCase → the tree with
/// CloudFormation's PascalCase keys.
pub fn container_definitions(input: &Input) -> Option<Node> {
    parse_json_string(input, |n| pascal_keys(n, false))
}

/// Parses a JSON string value. Every node gets the span of the string itself: a label cannot
/// point inside an escaped string, the string is the closest place in the plan.
fn parse_json_string(input: &Input, shape: fn(Node) -> Node) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let Some(s) = string(value) else {
        // Already a tree (a framework that stores JSON as an object), or unknown.
        return Some(match value.kind {
            Kind::Seq(_) | Kind::Map(_) if value.intrinsic().is_none() => shape(value.clone()),
            _ => value.clone(),
        });
    };
    if s.trim().is_empty() {
        return None;
    }
    match json::parse(s) {
        Ok(parsed) => {
            let mut node = shape(parsed.root);
            respan(&mut node, &value.span);
            Some(node)
        }
        Err(e) => Some(Node::unknown(
            value.span.clone(),
            format!("`{}` is not valid JSON: {}", input.tf, e.message),
        )),
    }
}

fn respan(node: &mut Node, span: &Span) {
    node.span = span.clone();
    match &mut node.kind {
        Kind::Map(entries) => {
            for e in entries {
                e.key_span = span.clone();
                respan(&mut e.value, span);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(|i| respan(i, span)),
        _ => {}
    }
}

/// Maps whose keys are data, not property names: log driver options and Docker labels.
const VERBATIM_KEYS: &[&str] = &["options", "dockerLabels"];

/// camelCase keys → PascalCase, except the keys of the maps under `VERBATIM_KEYS`.
pub fn pascal_keys(mut node: Node, verbatim: bool) -> Node {
    match &mut node.kind {
        Kind::Map(entries) => {
            for e in entries.iter_mut() {
                let value = std::mem::replace(&mut e.value, Node::unknown(0..0, ""));
                e.value = pascal_keys(value, VERBATIM_KEYS.contains(&e.key.as_str()));
                if !verbatim {
                    e.key = pascal_case(&e.key);
                }
            }
        }
        Kind::Seq(items) => {
            let taken = std::mem::take(items);
            *items = taken.into_iter().map(|i| pascal_keys(i, false)).collect();
        }
        _ => {}
    }
    node
}

pub fn pascal_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A Terraform bool → CloudFormation's `ENABLED`/`DISABLED`.
pub fn enabled_disabled(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let word = match &value.kind {
        Kind::Scalar(s) if s.plain && s.text == "true" => "ENABLED",
        Kind::Scalar(s) if s.plain && s.text == "false" => "DISABLED",
        _ => return Some(value.clone()),
    };
    Some(Node::scalar(value.span.clone(), word, false))
}

/// The provider writes "" for unset strings inside blocks; CloudFormation leaves them out.
pub fn non_empty(input: &Input) -> Option<Node> {
    input
        .value
        .filter(|v| !v.is_null() && string(v) != Some(""))
        .cloned()
}

/// A single name (`role`) where CloudFormation takes a list (`Roles`).
pub fn one_item_list(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    Some(match value.kind {
        Kind::Seq(_) | Kind::Unknown(_) => value.clone(),
        _ => seq(value.span.clone(), vec![value.clone()]),
    })
}

/// `vpc_endpoint_type` defaults to `Gateway` in the provider as in CloudFormation.
pub fn default_gateway(input: &Input) -> Option<Node> {
    match input.value.filter(|v| !v.is_null()) {
        Some(v) => Some(v.clone()),
        None => Some(Node::scalar(input.span.clone(), "Gateway", false)),
    }
}

/// SSM parameter value: `insecure_value` (never redacted) when set, else `value`.
pub fn secret_or_insecure_value(input: &Input) -> Option<Node> {
    ["insecure_value", "value"]
        .iter()
        .filter_map(|k| input.attrs.get(k))
        .find(|v| !v.is_null())
        .cloned()
}

/// Launch template `user_data` is base64 in both models. Text that decodes cleanly becomes
/// CloudFormation's `Fn::Base64` of that text, so that names written in it (`ECS_CLUSTER=app`)
/// link to the resources they name, as in a template; anything else (gzip) stays as it is.
pub fn launch_template_user_data(input: &Input) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let decoded = string(value).and_then(crate::graph::base64_text::decode_base64_text);
    let Some(decoded) = decoded else {
        return Some(value.clone());
    };
    let wrapped = Entry {
        key: "Fn::Base64".to_string(),
        key_span: value.span.clone(),
        value: Node::scalar(value.span.clone(), &decoded, false),
    };
    Some(Node::map(value.span.clone(), vec![wrapped]))
}

/// Launch configuration `user_data` is only a SHA-1 hash in a plan. The text survives as a
/// configuration constant (written as CloudFormation's `Fn::Base64` of the text, since the
/// property holds base64), or as `user_data_base64`.
pub fn launch_configuration_user_data(input: &Input) -> Option<Node> {
    let constant = input.expr().and_then(|e| e.get("constant_value"));
    if let Some(constant) = constant.filter(|c| string(c).is_some()) {
        let wrapped = Entry {
            key: "Fn::Base64".to_string(),
            key_span: constant.span.clone(),
            value: constant.clone(),
        };
        return Some(Node::map(constant.span.clone(), vec![wrapped]));
    }
    if let Some(b64) = input.attrs.get("user_data_base64").filter(|v| !v.is_null()) {
        return Some(b64.clone());
    }
    let value = input.value.filter(|v| !v.is_null())?;
    Some(Node::unknown(
        value.span.clone(),
        "user data is only a hash in the plan",
    ))
}

pub fn sg_ingress(input: &Input) -> Option<Node> {
    sg_rules(input, "SourceSecurityGroupId", "SourcePrefixListId")
}

pub fn sg_egress(input: &Input) -> Option<Node> {
    sg_rules(
        input,
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    )
}

/// Inline security group rules: Terraform lists several peers per rule, CloudFormation one,
/// so each peer becomes its own rule.
fn sg_rules(input: &Input, group_key: &str, prefix_list_key: &str) -> Option<Node> {
    let value = input.value.filter(|v| !v.is_null())?;
    let Kind::Seq(rules) = &value.kind else {
        return Some(value.clone());
    };
    let mut out = Vec::new();
    for rule in rules {
        if !rule.is_map() {
            out.push(rule.clone());
            continue;
        }
        let mut common = Vec::new();
        for (tf, cfn) in [
            ("protocol", "IpProtocol"),
            ("from_port", "FromPort"),
            ("to_port", "ToPort"),
        ] {
            if let Some(e) = rule.entry(tf) {
                common.push(Entry {
                    key: cfn.to_string(),
                    key_span: e.key_span.clone(),
                    value: e.value.clone(),
                });
            }
        }
        for (tf, cfn) in [
            ("cidr_blocks", "CidrIp"),
            ("ipv6_cidr_blocks", "CidrIpv6"),
            ("security_groups", group_key),
            ("prefix_list_ids", prefix_list_key),
        ] {
            let Some(peers) = rule.get(tf) else { continue };
            let peers = match &peers.kind {
                Kind::Seq(items) => items.iter().collect(),
                Kind::Unknown(_) => vec![peers],
                _ => Vec::new(),
            };
            for peer in peers {
                let mut entries = common.clone();
                entries.push(Entry {
                    key: cfn.to_string(),
                    key_span: peer.span.clone(),
                    value: peer.clone(),
                });
                out.push(Node::map(rule.span.clone(), entries));
            }
        }
        // `self = true`: the group itself is a peer. Kept as a property of its own (not a
        // CloudFormation one) so the rule is not lost.
        if let Some(own) = rule
            .get("self")
            .filter(|s| !s.is_null() && s.as_str() != Some("false"))
        {
            let mut entries = common.clone();
            entries.push(Entry {
                key: "Self".to_string(),
                key_span: own.span.clone(),
                value: own.clone(),
            });
            out.push(Node::map(rule.span.clone(), entries));
        }
    }
    Some(seq(value.span.clone(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        json::parse(text).expect("valid JSON").root
    }

    fn map(b: &str, attrs: &str) -> Node {
        let binding = binding(b).expect("bound type");
        let attrs = parse(attrs);
        let conf = Conf {
            configured: false,
            exprs: None,
        };
        properties(binding.fields, &attrs, conf)
    }

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

    #[test]
    fn container_definitions_become_pascal_case_except_option_keys() {
        let props = map(
            "aws_ecs_task_definition",
            r#"{"container_definitions": "[{\"image\":\"nginx\",\"logConfiguration\":{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-create-group\":\"true\"}},\"dockerLabels\":{\"com.example\":\"x\"},\"secrets\":[{\"name\":\"A\",\"valueFrom\":\"arn\"}]}]"}"#,
        );
        let c = &props.get("ContainerDefinitions").unwrap().items()[0];
        assert_eq!(c.get("Image").unwrap().as_str(), Some("nginx"));
        let log = c.get("LogConfiguration").unwrap();
        assert_eq!(log.get("LogDriver").unwrap().as_str(), Some("awslogs"));
        assert!(
            log.get("Options")
                .unwrap()
                .get("awslogs-create-group")
                .is_some()
        );
        assert!(c.get("DockerLabels").unwrap().get("com.example").is_some());
        let secret = &c.get("Secrets").unwrap().items()[0];
        assert_eq!(secret.get("ValueFrom").unwrap().as_str(), Some("arn"));
    }

    #[test]
    fn parsed_json_points_at_the_string() {
        let text = r#"{"assume_role_policy": "{\"Version\":\"2012-10-17\"}"}"#;
        let attrs = parse(text);
        let props = properties(
            binding("aws_iam_role").unwrap().fields,
            &attrs,
            Conf {
                configured: false,
                exprs: None,
            },
        );
        let doc = props.get("AssumeRolePolicyDocument").unwrap();
        let version = doc.get("Version").unwrap();
        assert_eq!(
            &text[version.span.clone()],
            r#""{\"Version\":\"2012-10-17\"}""#
        );
    }

    #[test]
    fn invalid_json_is_unknown() {
        let props = map("aws_iam_policy", r#"{"policy": "{not json"}"#);
        assert!(matches!(
            props.get("PolicyDocument").unwrap().kind,
            Kind::Unknown(_)
        ));
    }

    #[test]
    fn blocks_accept_lists_of_one_and_bare_objects() {
        for body in [
            r#"{"runtime_platform": [{"cpu_architecture": "ARM64"}]}"#,
            r#"{"runtime_platform": {"cpu_architecture": "ARM64"}}"#,
        ] {
            let props = map("aws_ecs_task_definition", body);
            let rp = props.get("RuntimePlatform").unwrap();
            assert_eq!(rp.get("CpuArchitecture").unwrap().as_str(), Some("ARM64"));
        }
        let props = map("aws_ecs_task_definition", r#"{"runtime_platform": []}"#);
        assert!(props.get("RuntimePlatform").is_none());
    }

    #[test]
    fn network_configuration_is_wrapped_and_bool_spelled_out() {
        let props = map(
            "aws_ecs_service",
            r#"{"network_configuration": [{"subnets": ["s-1"], "assign_public_ip": false}]}"#,
        );
        let awsvpc = props
            .get("NetworkConfiguration")
            .and_then(|n| n.get("AwsvpcConfiguration"))
            .unwrap();
        assert_eq!(
            awsvpc.get("AssignPublicIp").unwrap().as_str(),
            Some("DISABLED")
        );
        assert_eq!(awsvpc.get("Subnets").unwrap().items().len(), 1);
    }

    #[test]
    fn launch_template_attributes_go_under_launch_template_data() {
        let props = map(
            "aws_launch_template",
            r#"{"name": "lt", "image_id": "ami-1", "iam_instance_profile": [{"arn": "", "name": "p"}]}"#,
        );
        let data = props.get("LaunchTemplateData").unwrap();
        assert_eq!(data.get("ImageId").unwrap().as_str(), Some("ami-1"));
        let profile = data.get("IamInstanceProfile").unwrap();
        assert!(profile.get("Arn").is_none());
        assert_eq!(profile.get("Name").unwrap().as_str(), Some("p"));
    }

    #[test]
    fn computed_unknown_without_configuration_is_left_out() {
        let attrs = Node::map(
            0..0,
            vec![Entry {
                key: "managed_policy_arns".into(),
                key_span: 0..0,
                value: Node::unknown(0..0, "known after apply"),
            }],
        );
        let exprs = parse("{}");
        let fields = binding("aws_iam_role").unwrap().fields;
        let configured = Conf {
            configured: true,
            exprs: Some(&exprs),
        };
        assert!(
            properties(fields, &attrs, configured)
                .get("ManagedPolicyArns")
                .is_none()
        );
        let unconfigured = Conf {
            configured: false,
            exprs: None,
        };
        assert!(
            properties(fields, &attrs, unconfigured)
                .get("ManagedPolicyArns")
                .is_some()
        );
    }

    #[test]
    fn launch_configuration_user_data_without_its_text_is_unknown() {
        let hash = map(
            "aws_launch_configuration",
            r#"{"user_data": "3f786850e387550fdab836ed7e6dc881de23001b", "user_data_base64": null}"#,
        );
        assert!(matches!(
            hash.get("UserData").unwrap().kind,
            Kind::Unknown(_)
        ));
        let b64 = map(
            "aws_launch_configuration",
            r#"{"user_data": null, "user_data_base64": "ZWNobyBoaQo="}"#,
        );
        assert_eq!(b64.get("UserData").unwrap().as_str(), Some("ZWNobyBoaQo="));
        let none = map("aws_launch_configuration", r#"{"user_data": null}"#);
        assert!(none.get("UserData").is_none());
    }

    #[test]
    fn security_group_rules_split_per_peer() {
        let props = map(
            "aws_security_group",
            r#"{"egress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0", "10.0.0.0/8"], "ipv6_cidr_blocks": [], "security_groups": []}]}"#,
        );
        let egress = props.get("SecurityGroupEgress").unwrap().items();
        assert_eq!(egress.len(), 2);
        assert_eq!(
            egress[1].get("CidrIp").unwrap().as_str(),
            Some("10.0.0.0/8")
        );
        assert_eq!(egress[1].get("IpProtocol").unwrap().as_str(), Some("-1"));
    }

    #[test]
    fn a_self_rule_is_kept_and_a_rule_of_type_egress_is_an_egress_rule() {
        let props = map(
            "aws_security_group",
            r#"{"ingress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [], "self": true}, {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"], "self": false}]}"#,
        );
        let ingress = props.get("SecurityGroupIngress").unwrap().items();
        assert_eq!(ingress.len(), 2);
        assert_eq!(ingress[0].get("Self").unwrap().as_str(), Some("true"));
        assert!(ingress[1].get("Self").is_none());
        let rule = binding("aws_security_group_rule").unwrap();
        let egress = parse(r#"{"type": "egress"}"#);
        let ingress = parse(r#"{"type": "ingress"}"#);
        assert_eq!(cfn_type(rule, &egress), "AWS::EC2::SecurityGroupEgress");
        assert_eq!(cfn_type(rule, &ingress), "AWS::EC2::SecurityGroupIngress");
    }

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

    #[test]
    fn every_binding_type_is_listed_once() {
        for (i, b) in BINDINGS.iter().enumerate() {
            assert!(
                BINDINGS.iter().skip(i + 1).all(|o| o.tf != b.tf),
                "{} bound twice",
                b.tf
            );
        }
    }
}
