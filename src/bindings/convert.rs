//! Terraform attributes → CloudFormation properties, as the fields of a binding say.

use crate::node::{Entry, Kind, Node};
use crate::source::Span;

use super::Shape::{Block, Blocks, Computed, Content, Decode, List, Value};
use super::{Conf, Field, Input, Shape};

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
            Kind::Scalar(_) | Kind::Map(_) => Node::seq(v.span.clone(), vec![v.clone()]),
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
                    Some(Node::seq(v.span.clone(), maps))
                }
                Kind::Map(_) => Some(Node::seq(
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
        Decode(decoder) | Content(decoder) => (decoder.run)(input),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{binding, cfn_type};
    use crate::load::json;

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
}
