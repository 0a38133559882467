//! Resources that the CloudFormation model draws differently from Terraform: inline blocks
//! split off into resources of their own (`route[]` → `AWS::EC2::Route`), and resources with no
//! CloudFormation type folded into the resource they modify.

use super::*;

/// Inline blocks that CloudFormation models as resources (`route[]` → `AWS::EC2::Route`),
/// each named `<parent address>.<block>[i]`.
pub(super) fn split_children(
    b: &Binding,
    p: &Planned,
    attrs: &Node,
    conf: Conf,
    out: &mut Vec<Built>,
) {
    for child in b.children {
        let Some(value) = attrs.get(child.tf) else {
            continue;
        };
        let parent = |span: &Span| Entry {
            key: child.parent.to_string(),
            key_span: span.clone(),
            value: Node::map(
                span.clone(),
                vec![Entry {
                    key: "Ref".to_string(),
                    key_span: span.clone(),
                    value: Node::scalar(span.clone(), p.address, false),
                }],
            ),
        };
        let mut push = |suffix: String, span: &Span, props: Node| {
            let mut props = props;
            if let Kind::Map(entries) = &mut props.kind {
                entries.insert(0, parent(span));
            }
            out.push(Built {
                resource: Resource {
                    id: format!("{}.{}{suffix}", p.address, child.tf),
                    id_span: span.clone(),
                    rtype: child.cfn.to_string(),
                    type_span: p.type_span.clone(),
                    properties: Some(props),
                    metadata: None,
                    condition: None,
                },
                tf_key: child.tf.to_string(),
                depends_on: None,
                bound: Some((child.fields, b.tf, &[])),
            });
        };
        match &value.kind {
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate().filter(|(_, it)| it.is_map()) {
                    let props = bindings::properties(child.fields, item, conf.nested(child.tf, i));
                    push(format!("[{i}]"), &item.span, props);
                }
            }
            // Unknown while the configuration sets none: only separate resources add
            // routes. Unknown otherwise: one stand-in whose every property is unknown.
            Kind::Unknown(reason) => {
                let unset = conf.configured && conf.exprs.and_then(|e| e.get(child.tf)).is_none();
                if !unset {
                    let entries = child
                        .fields
                        .iter()
                        .filter(|f| !f.cfn.contains('.'))
                        .map(|f| Entry {
                            key: f.cfn.to_string(),
                            key_span: value.span.clone(),
                            value: Node::unknown(value.span.clone(), reason.clone()),
                        })
                        .fold(Vec::<Entry>::new(), |mut acc, e| {
                            if acc.iter().all(|a| a.key != e.key) {
                                acc.push(e);
                            }
                            acc
                        });
                    push(
                        "[*]".to_string(),
                        &value.span,
                        Node::map(value.span.clone(), entries),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Resources that CloudFormation has no type for are folded into the resource they modify
/// (`bindings::folds`): an attachment's policy ARN joins the role's `ManagedPolicyArns`.
pub(super) fn fold(built: &mut [Built]) {
    for rule in bindings::folds() {
        for i in 0..built.len() {
            let Some(source) = built.get(i).filter(|b| b.tf_key == rule.tf) else {
                continue;
            };
            let props = source.resource.properties.as_ref();
            let Some(value) = props
                .and_then(|p| p.get(rule.value))
                .filter(|v| !v.is_null())
            else {
                continue;
            };
            let value = value.clone();
            let by = props.and_then(|p| p.get(rule.by));
            let targets: Vec<usize> = by
                .map(|n| match &n.kind {
                    Kind::Seq(items) => items.iter().collect(),
                    _ => vec![n],
                })
                .unwrap_or_default()
                .into_iter()
                .filter_map(|n| fold_target(built, n, rule.target))
                .collect();
            for t in targets {
                if let Some(props) = built
                    .get_mut(t)
                    .and_then(|b| b.resource.properties.as_mut())
                {
                    append(props, rule.into, value.clone());
                }
            }
        }
    }
}

/// The resource of type `rtype` that `n` names: by reference, else by literal name or ARN.
pub(super) fn fold_target(built: &[Built], n: &Node, rtype: &str) -> Option<usize> {
    let of_type = |b: &&Built| b.resource.rtype == rtype;
    if let Some((func, arg)) = n.intrinsic() {
        let address = match func {
            "Ref" => arg.as_str(),
            "Fn::GetAtt" => getatt_parts(arg).0,
            _ => None,
        }?;
        return built
            .iter()
            .position(|b| of_type(&b) && b.resource.id == address);
    }
    let name = names::name_in_reference(n.as_str()?);
    built
        .iter()
        .position(|b| of_type(&b) && names::literal_name(&b.resource) == Some(name))
}

/// Appends `value` to list property `key`, unless it is there already (a plan of existing
/// resources reads attached policies back into the role) or the list is unknown.
pub(super) fn append(props: &mut Node, key: &str, value: Node) {
    let Kind::Map(entries) = &mut props.kind else {
        return;
    };
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => {
            // An unknown list stays unknown: the attachment is only part of it.
            if let Kind::Seq(items) = &mut e.value.kind
                && !items.iter().any(|i| same_value(i, &value))
            {
                items.push(value);
            }
        }
        None => entries.push(Entry {
            key: key.to_string(),
            key_span: value.span.clone(),
            value: Node::seq(value.span.clone(), vec![value]),
        }),
    }
}

/// Same literal, or a reference to the same resource.
pub(super) fn same_value(a: &Node, b: &Node) -> bool {
    let target = |n: &Node| match n.intrinsic() {
        Some(("Ref", arg)) => arg.as_str().map(String::from),
        Some(("Fn::GetAtt", arg)) => getatt_parts(arg).0.map(String::from),
        _ => None,
    };
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x == y,
        _ => target(a).is_some() && target(a) == target(b),
    }
}
