//! Enough IAM policy evaluation to answer "does this role allow action A (on resource R)?".
//!
//! Rules only report permissions that are definitely missing, so every doubt leans towards
//! `Unknown` (or towards "allowed" for Allow statements with conditions or odd resources),
//! never towards `NotAllowed`.

use crate::graph::arn::{GENERATED_CLOSE, GENERATED_OPEN};
use crate::graph::json_text;
use crate::node::{Kind, Node};

/// One policy attached to a role.
#[derive(Clone, Debug)]
pub enum PolicySource<'a> {
    /// A policy document tree (`{Version, Statement}`), or a scalar holding it as JSON text.
    Document(&'a Node),
    /// An AWS managed policy ARN, e.g.
    /// `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`.
    Managed(&'a str),
    /// A policy we cannot see (customer managed policy outside the template, a policy
    /// behind an unresolvable intrinsic, ...), with a description for messages.
    Opaque(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ExplicitlyDenied,
    NotAllowed,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// Whether a statement's Action or Resource covers the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    Yes,
    No,
    /// Written with something we cannot evaluate exactly.
    Maybe,
}

/// One entry of an Action or Resource list.
#[derive(Debug)]
enum Pattern {
    /// A literal pattern with IAM `*`/`?` wildcards.
    Exact(String),
    /// A pattern where unknown pieces (`${...}`, placeholders, non-literal join parts) became
    /// `*`: it matches at least everything the real value matches.
    Approx(String),
    /// Nothing is known about the value.
    Opaque,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug)]
struct Field {
    negated: bool,
    patterns: Vec<Pattern>,
}

#[derive(Debug)]
struct Statement {
    effect: Effect,
    action: Field,
    /// `None` when the statement names no resource at all.
    resource: Option<Field>,
    /// Has a `Condition`, or a `Principal` narrower than everyone.
    conditional: bool,
}

/// Evaluates `action` (e.g. `ecr:BatchGetImage`) on `resource` (an ARN, or `None` to ignore
/// resources) against all policies of one principal, in AWS order: an explicit Deny wins,
/// then any Allow; anything unreadable makes a missing Allow `Unknown`.
pub fn evaluate(sources: &[PolicySource], action: &str, resource: Option<&str>) -> Decision {
    let mut tally = Tally::default();
    for source in sources {
        let statements = match source {
            PolicySource::Document(node) => document_statements(node),
            PolicySource::Managed(arn) => managed_statements(arn),
            PolicySource::Opaque(_) => None,
        };
        let Some(statements) = statements else {
            tally.unreadable = true;
            continue;
        };
        for statement in statements {
            match statement {
                Some(s) => tally.add(&s, action, resource),
                None => tally.unreadable = true,
            }
        }
    }
    tally.decision()
}

#[derive(Default)]
struct Tally {
    definite_deny: bool,
    /// A Deny that could apply (conditions, uncertain action or resource).
    possible_deny: bool,
    definite_allow: bool,
    /// An Allow whose action we could not read, or a policy/statement we could not read.
    unreadable: bool,
}

impl Tally {
    fn add(&mut self, statement: &Statement, action: &str, resource: Option<&str>) {
        let action_match = statement.action.matches(action, true);
        let resource_match = match (resource, &statement.resource) {
            (None, _) => Match::Yes,
            (Some(_), None) => Match::Maybe,
            (Some(arn), Some(field)) => field.matches(arn, false),
        };
        match statement.effect {
            Effect::Allow => {
                // Uncertain resources and conditions still count: we only report what is
                // definitely missing.
                if resource_match == Match::No {
                    return;
                }
                match action_match {
                    Match::Yes => self.definite_allow = true,
                    Match::Maybe => self.unreadable = true,
                    Match::No => {}
                }
            }
            Effect::Deny => {
                if action_match == Match::No || resource_match == Match::No {
                    return;
                }
                if action_match == Match::Yes
                    && resource_match == Match::Yes
                    && !statement.conditional
                {
                    self.definite_deny = true;
                } else {
                    self.possible_deny = true;
                }
            }
        }
    }

    fn decision(&self) -> Decision {
        if self.definite_deny {
            Decision::ExplicitlyDenied
        } else if self.definite_allow {
            if self.possible_deny {
                Decision::Unknown
            } else {
                Decision::Allowed
            }
        } else if self.unreadable {
            Decision::Unknown
        } else {
            // Includes a possible Deny with no Allow: the action is not allowed either way.
            Decision::NotAllowed
        }
    }
}

impl Field {
    /// Matches a request value, which may itself contain unknown parts (placeholders or
    /// `${...}` in an ARN built with `Fn::Sub`).
    fn matches(&self, value: &str, case_insensitive: bool) -> Match {
        let fold = |s: &str| {
            if case_insensitive {
                s.to_ascii_lowercase()
            } else {
                s.to_string()
            }
        };
        let value = unknown_parts(&fold(value));
        let mut result = Match::No;
        for pattern in &self.patterns {
            let chars = |p: &str| fold(p).chars().collect::<Vec<char>>();
            let value = match pattern {
                Pattern::Exact(p) | Pattern::Approx(p) => generated_names(&value, &fold(p)),
                Pattern::Opaque => value.clone(),
            };
            match pattern {
                Pattern::Exact(p) => {
                    let p = chars(p);
                    if covers(&p, &value) {
                        result = Match::Yes;
                        break;
                    }
                    if overlaps(&p, &value) {
                        result = Match::Maybe;
                    }
                }
                Pattern::Approx(p) if overlaps(&chars(p), &value) => result = Match::Maybe,
                Pattern::Opaque => result = Match::Maybe,
                Pattern::Approx(_) => {}
            }
        }
        match (self.negated, result) {
            (true, Match::Yes) => Match::No,
            (true, Match::No) => Match::Yes,
            (_, r) => r,
        }
    }
}

/// Stands for an unknown run of characters in a request value.
const UNKNOWN: char = '\u{E000}';
/// The same inside one of the first five fields of an ARN, where it cannot contain `:`
/// (a partition, region or account id).
const UNKNOWN_FIELD: char = '\u{E002}';

/// A name generated at deploy time for one resource: unknown, without `:`, and not the
/// generated name of another resource.
const UNKNOWN_NAME: char = '\u{E005}';

fn is_unknown(c: char) -> bool {
    c == UNKNOWN || c == UNKNOWN_FIELD || c == UNKNOWN_NAME
}

/// The characters of `text` with each `${...}` and placeholder collapsed into one unknown.
/// In an ARN, an unknown that ends it right after a `/`, or a `:` inside the resource part, is
/// a name or revision: it cannot contain `:` either.
fn unknown_parts(text: &str) -> Vec<char> {
    let is_arn = text.starts_with("arn:");
    let mut colons = 0;
    let mut chars: Vec<char> = substitute(text, UNKNOWN)
        .chars()
        .map(|c| {
            colons += usize::from(c == ':');
            if c == UNKNOWN && is_arn && colons < 5 {
                UNKNOWN_FIELD
            } else {
                c
            }
        })
        .collect();
    // (An unknown that is the whole resource part, right after the fifth `:`, may hold `:`.)
    if let [.., before, last] = chars.as_mut_slice()
        && is_arn
        && *last == UNKNOWN
        && (*before == '/' || (*before == ':' && colons > 5))
    {
        *last = UNKNOWN_FIELD;
    }
    chars
}

/// A generated name in a request value (`graph::arn::generated_name`) stays itself where the
/// pattern names the same resource, so it matches only that; elsewhere it is an unknown name
/// (`UNKNOWN_NAME`).
fn generated_names(value: &[char], pattern: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some((&c, after)) = rest.split_first() {
        let end = after.iter().position(|&c| c == GENERATED_CLOSE);
        match end {
            Some(end) if c == GENERATED_OPEN => {
                let token = &rest[..end + 2];
                if pattern.contains(&token.iter().collect::<String>()) {
                    out.extend_from_slice(token);
                } else {
                    out.push(UNKNOWN_NAME);
                }
                rest = &rest[end + 2..];
            }
            _ => {
                out.push(c);
                rest = after;
            }
        }
    }
    out
}

/// IAM wildcard matching: `*` matches any run of characters, `?` exactly one. An unknown
/// part of the text is matched only by `*`, so a match holds whatever the unknown part is.
fn covers(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // Position of the last `*` seen and the text position it was tried at.
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && !is_unknown(t[ti]) && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, at)) = backtrack {
            // Let the last `*` swallow one more character.
            pi = star + 1;
            ti = at + 1;
            backtrack = Some((star, at + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether some value of the unknown parts of `t` makes it match `p`. Without unknown parts
/// this is plain wildcard matching.
fn overlaps(p: &[char], t: &[char]) -> bool {
    if !t.iter().any(|&c| is_unknown(c)) {
        return covers(p, t);
    }
    let (n, m) = (p.len(), t.len());
    // Bound the table; a huge value is simply "could match".
    if n.saturating_mul(m) > 1_000_000 {
        return true;
    }
    // can[i][j]: p[i..] and t[j..] can spell a common string.
    let mut can = vec![vec![false; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            can[i][j] = if i == n && j == m {
                true
            } else {
                let star = i < n && p[i] == '*';
                let unknown = j < m && is_unknown(t[j]);
                // What the unknown part can spell next: anything, or anything but `:` (and
                // for a generated name, no other resource's generated name).
                let spells = |c: char| match t[j] {
                    UNKNOWN => true,
                    UNKNOWN_NAME => c != ':' && c != GENERATED_OPEN && c != GENERATED_CLOSE,
                    _ => c != ':',
                };
                (star && (can[i + 1][j] || (j < m && can[i][j + 1])))
                    || (unknown && (can[i][j + 1] || (i < n && spells(p[i]) && can[i + 1][j])))
                    || (i < n
                        && j < m
                        && !star
                        && !unknown
                        && (p[i] == '?' || p[i] == t[j])
                        && can[i + 1][j + 1])
            };
        }
    }
    can[0][0]
}

/// Plain wildcard matching of two strings, for tests and readability.
#[cfg(test)]
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    covers(&p, &t)
}

/// The statements of a policy document; `None` when the document cannot be read, and a
/// `None` statement for each statement that cannot be read.
fn document_statements(node: &Node) -> Option<Vec<Option<Statement>>> {
    let parsed;
    let node = match &node.kind {
        // A policy given as JSON text (Terraform `policy`, CloudFormation string documents).
        Kind::Scalar(s) => {
            parsed = json_text::parse(&s.text, &node.span).filter(Node::is_map)?;
            &parsed
        }
        Kind::Map(_) if node.intrinsic().is_none() => node,
        _ => return None,
    };
    let statement = node.get("Statement")?;
    match &statement.kind {
        Kind::Map(_) => Some(vec![parse_statement(statement)]),
        Kind::Seq(items) => Some(items.iter().map(parse_statement).collect()),
        _ => None,
    }
}

fn parse_statement(node: &Node) -> Option<Statement> {
    if !node.is_map() || node.intrinsic().is_some() {
        return None;
    }
    let effect = match node.get("Effect")?.as_str()?.trim() {
        e if e.eq_ignore_ascii_case("Allow") => Effect::Allow,
        e if e.eq_ignore_ascii_case("Deny") => Effect::Deny,
        _ => return None,
    };
    let action = either(node, "Action", "NotAction")??;
    let resource = either(node, "Resource", "NotResource")?;
    let conditional = node
        .get("Condition")
        .is_some_and(|c| !c.is_null() && !matches!(&c.kind, Kind::Map(e) if e.is_empty()))
        || node.get("NotPrincipal").is_some()
        || node.get("Principal").is_some_and(|p| !is_everyone(p));
    Some(Statement {
        effect,
        action,
        resource,
        conditional,
    })
}

/// The field under `key` or its negated form `not_key`: `Some(None)` when neither is present,
/// `None` when both are, or when the value cannot be used at all.
fn either(node: &Node, key: &str, not_key: &str) -> Option<Option<Field>> {
    match (node.get(key), node.get(not_key)) {
        (Some(_), Some(_)) => None,
        (Some(v), None) => Some(Some(Field {
            negated: false,
            patterns: patterns(v),
        })),
        (None, Some(v)) => Some(Some(Field {
            negated: true,
            patterns: patterns(v),
        })),
        (None, None) => Some(None),
    }
}

/// `"*"` or `{"AWS": "*"}`.
fn is_everyone(principal: &Node) -> bool {
    match &principal.kind {
        Kind::Scalar(_) => principal.as_str() == Some("*"),
        Kind::Map(entries) => {
            matches!(entries.as_slice(), [e] if e.key == "AWS" && e.value.as_str() == Some("*"))
        }
        _ => false,
    }
}

fn patterns(node: &Node) -> Vec<Pattern> {
    match &node.kind {
        Kind::Seq(items) => items.iter().map(pattern).collect(),
        // A JSON-encoded list in a string, e.g. `'["logs:*", "ssm:GetParameters"]'`.
        Kind::Scalar(s) if s.text.trim_start().starts_with('[') => {
            match serde_json::from_str::<Vec<serde_json::Value>>(&s.text) {
                Ok(values) => values
                    .iter()
                    .map(|v| match v.as_str() {
                        Some(text) => literal(text),
                        None => Pattern::Opaque,
                    })
                    .collect(),
                Err(_) => vec![pattern(node)],
            }
        }
        _ => vec![pattern(node)],
    }
}

/// The pattern of one Action or Resource value. Documents reach here resolved (see
/// `Ctx::resolved_tree`): text with deploy-time parts carries them as holes, and anything
/// else that is not a string (a value known only at deploy time) is opaque.
fn pattern(node: &Node) -> Pattern {
    match &node.kind {
        Kind::Scalar(s) => literal(&s.text),
        _ => Pattern::Opaque,
    }
}

/// A literal Action/Resource string; `${...}` (IAM policy variables, or Fn::Sub syntax that
/// reached us unresolved) and placeholders make it approximate.
fn literal(text: &str) -> Pattern {
    let approx = approximate(text);
    if approx == text {
        Pattern::Exact(text.to_string())
    } else {
        Pattern::Approx(approx)
    }
}

/// Replaces each `${...}` and each deploy-time placeholder (U+E000 digits U+E001) by `*`.
fn approximate(text: &str) -> String {
    substitute(text, '*')
}

/// Replaces each `${...}` and each deploy-time placeholder by `with`.
fn substitute(text: &str, with: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${")
            && let Some(end) = after.find('}')
        {
            out.push(with);
            rest = &after[end + 1..];
            continue;
        }
        if c == '\u{E000}'
            && let Some(end) = rest.find('\u{E001}')
        {
            out.push(with);
            rest = &rest[end + '\u{E001}'.len_utf8()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Does a role's trust policy (`AssumeRolePolicyDocument`) let the AWS service `service`
/// (`ecs-tasks.amazonaws.com`) call `sts:AssumeRole` on it? An explicit Deny wins; `Principal`
/// `*`, `{AWS: "*"}` and `{Service: ...}` (a string or a list, the `.cn` form too) name it,
/// `NotPrincipal` names everyone it does not list. Conditions of an Allow (`aws:SourceAccount`,
/// `aws:SourceArn`, ...) are taken as satisfied; a Deny with conditions, or anything that cannot
/// be read, leaves the answer `Unknown` unless an unconditional Deny decides it.
pub fn trusts(document: &Node, service: &str) -> Decision {
    let parsed;
    let node = match &document.kind {
        Kind::Scalar(s) => match json_text::parse(&s.text, &document.span).filter(Node::is_map) {
            Some(p) => {
                parsed = p;
                &parsed
            }
            None => return Decision::Unknown,
        },
        Kind::Map(_) if document.intrinsic().is_none() => document,
        _ => return Decision::Unknown,
    };
    let statements: Vec<&Node> = match node.get("Statement").map(|s| &s.kind) {
        Some(Kind::Seq(items)) => items.iter().collect(),
        Some(Kind::Map(_)) => node.get("Statement").into_iter().collect(),
        _ => return Decision::Unknown,
    };
    let mut tally = Tally::default();
    for statement in statements {
        let Some(parsed) = parse_statement(statement) else {
            tally.unreadable = true;
            continue;
        };
        let action = parsed.action.matches("sts:AssumeRole", true);
        let principal = statement_principal(statement, service);
        let conditional = statement
            .get("Condition")
            .is_some_and(|c| !c.is_null() && !matches!(&c.kind, Kind::Map(e) if e.is_empty()));
        if action == Match::No || principal == Match::No {
            continue;
        }
        let definite = action == Match::Yes && principal == Match::Yes;
        match parsed.effect {
            Effect::Allow if definite => tally.definite_allow = true,
            Effect::Allow => tally.unreadable = true,
            Effect::Deny if definite && !conditional => tally.definite_deny = true,
            Effect::Deny => tally.possible_deny = true,
        }
    }
    tally.decision()
}

/// Whether a statement's `Principal` (or `NotPrincipal`) covers the service principal.
fn statement_principal(statement: &Node, service: &str) -> Match {
    match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(p), None) => principal_names(p, service),
        (None, Some(p)) => match principal_names(p, service) {
            Match::Yes => Match::No,
            Match::No => Match::Yes,
            Match::Maybe => Match::Maybe,
        },
        _ => Match::Maybe,
    }
}

fn principal_names(principal: &Node, service: &str) -> Match {
    if is_everyone(principal) {
        return Match::Yes;
    }
    let Kind::Map(entries) = &principal.kind else {
        return Match::Maybe;
    };
    if principal.intrinsic().is_some() {
        return Match::Maybe;
    }
    let mut result = Match::No;
    for entry in entries {
        let m = match entry.key.as_str() {
            "Service" => service_listed(&entry.value, service),
            "AWS"
                if entry.value.as_str() == Some("*")
                    || entry.value.items().iter().any(|v| v.as_str() == Some("*")) =>
            {
                Match::Yes
            }
            // Accounts, roles, federated and canonical users are not the service.
            "AWS" | "Federated" | "CanonicalUser" => Match::No,
            _ => Match::Maybe,
        };
        match m {
            Match::Yes => return Match::Yes,
            Match::Maybe => result = Match::Maybe,
            Match::No => {}
        }
    }
    result
}

/// Whether a `Service` principal value (a string or a list) names `service`.
fn service_listed(value: &Node, service: &str) -> Match {
    let china = format!("{service}.cn");
    let mut result = Match::No;
    for p in patterns(value) {
        match p {
            Pattern::Exact(name) => {
                let name = name.trim();
                if name.eq_ignore_ascii_case(service) || name.eq_ignore_ascii_case(&china) {
                    return Match::Yes;
                }
                if name.contains(['*', '?']) && wildcard_covers(name, service) {
                    result = Match::Maybe;
                }
            }
            // `ecs-tasks.${AWS::URLSuffix}` and the like.
            Pattern::Approx(name) if wildcard_covers(&name, service) => result = Match::Maybe,
            Pattern::Approx(_) => {}
            Pattern::Opaque => result = Match::Maybe,
        }
    }
    result
}

fn wildcard_covers(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    covers(&p, &t)
}

/// One statement of an embedded AWS managed policy.
struct ManagedStatement {
    effect: Effect,
    actions: &'static [&'static str],
    not_actions: &'static [&'static str],
    resources: &'static [&'static str],
}

const fn allow(
    actions: &'static [&'static str],
    resources: &'static [&'static str],
) -> ManagedStatement {
    ManagedStatement {
        effect: Effect::Allow,
        actions,
        not_actions: &[],
        resources,
    }
}

const ALL: &[&str] = &["*"];

/// AWS managed policies, keyed by the path and name after `:policy/` in the ARN.
///
/// Sources: the policy documents as archived by MAMIP (github.com/zoph-io/MAMIP, file
/// `policies/<Name>`, version noted per entry) and, where said, aws-facts. Every statement
/// here is an Allow; the Allows that carry a Condition (noted) need no flag, because a
/// conditional Allow still counts as allowed. AWS can widen these policies at any time: a
/// stale entry can only produce `NotAllowed` for an action added later, so keep them fresh.
const MANAGED: &[(&str, &[ManagedStatement])] = &[
    // MAMIP v1 (2017-11-16); aws-facts §2.1.
    (
        "service-role/AmazonECSTaskExecutionRolePolicy",
        &[allow(
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            ALL,
        )],
    ),
    // MAMIP v8 (2025-08-04; aws-facts §3.1 says v10 has the same content).
    (
        "service-role/AmazonEC2ContainerServiceforEC2Role",
        &[
            allow(
                &[
                    "ec2:DescribeTags",
                    "ecs:CreateCluster",
                    "ecs:DeregisterContainerInstance",
                    "ecs:DiscoverPollEndpoint",
                    "ecs:Poll",
                    "ecs:RegisterContainerInstance",
                    "ecs:StartTelemetrySession",
                    "ecs:UpdateContainerInstancesState",
                    "ecs:Submit*",
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                ALL,
            ),
            // Condition: ecs:CreateAction is CreateCluster or RegisterContainerInstance.
            allow(&["ecs:TagResource"], ALL),
            allow(
                &["ecs:ListTagsForResource"],
                &[
                    "arn:aws:ecs:*:*:task/*/*",
                    "arn:aws:ecs:*:*:container-instance/*/*",
                ],
            ),
        ],
    ),
    // MAMIP v2 (2019-05-23).
    (
        "AmazonSSMManagedInstanceCore",
        &[
            allow(
                &[
                    "ssm:DescribeAssociation",
                    "ssm:GetDeployablePatchSnapshotForInstance",
                    "ssm:GetDocument",
                    "ssm:DescribeDocument",
                    "ssm:GetManifest",
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:ListAssociations",
                    "ssm:ListInstanceAssociations",
                    "ssm:PutInventory",
                    "ssm:PutComplianceItems",
                    "ssm:PutConfigurePackageResult",
                    "ssm:UpdateAssociationStatus",
                    "ssm:UpdateInstanceAssociationStatus",
                    "ssm:UpdateInstanceInformation",
                ],
                ALL,
            ),
            allow(
                &[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                ALL,
            ),
            allow(
                &[
                    "ec2messages:AcknowledgeMessage",
                    "ec2messages:DeleteMessage",
                    "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint",
                    "ec2messages:GetMessages",
                    "ec2messages:SendReply",
                ],
                ALL,
            ),
        ],
    ),
    // MAMIP v1 (2015-02-06).
    ("AdministratorAccess", &[allow(ALL, ALL)]),
    // MAMIP v12 (2026-02-12).
    (
        "PowerUserAccess",
        &[
            ManagedStatement {
                effect: Effect::Allow,
                actions: &[],
                not_actions: &["iam:*", "organizations:*", "account:*"],
                resources: ALL,
            },
            allow(
                &[
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ],
                ALL,
            ),
        ],
    ),
    // MAMIP v3 (2019-12-10).
    (
        "AmazonEC2ContainerRegistryReadOnly",
        &[allow(
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
            ],
            ALL,
        )],
    ),
    // MAMIP v3 (2019-12-10).
    (
        "AmazonEC2ContainerRegistryPowerUser",
        &[allow(
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
            ],
            ALL,
        )],
    ),
    // MAMIP v1 (2024-10-04).
    (
        "AmazonEC2ContainerRegistryPullOnly",
        &[allow(
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchImportUpstreamImage",
            ],
            ALL,
        )],
    ),
    // MAMIP v3 (2025-05-20).
    (
        "CloudWatchLogsFullAccess",
        &[allow(
            &[
                "logs:*",
                "cloudwatch:GenerateQuery",
                "cloudwatch:GenerateQueryResultsSummary",
            ],
            ALL,
        )],
    ),
    // MAMIP v3 (2024-02-06).
    (
        "CloudWatchAgentServerPolicy",
        &[
            allow(
                &[
                    "cloudwatch:PutMetricData",
                    "ec2:DescribeVolumes",
                    "ec2:DescribeTags",
                    "logs:PutLogEvents",
                    "logs:PutRetentionPolicy",
                    "logs:DescribeLogStreams",
                    "logs:DescribeLogGroups",
                    "logs:CreateLogStream",
                    "logs:CreateLogGroup",
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                ALL,
            ),
            allow(
                &["ssm:GetParameter"],
                &["arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"],
            ),
        ],
    ),
    // MAMIP v6 (newest stored copy).
    (
        "SecretsManagerReadWrite",
        &[
            allow(
                &[
                    "secretsmanager:*",
                    "cloudformation:CreateChangeSet",
                    "cloudformation:DescribeChangeSet",
                    "cloudformation:DescribeStackResource",
                    "cloudformation:DescribeStacks",
                    "cloudformation:ExecuteChangeSet",
                    "docdb-elastic:GetCluster",
                    "docdb-elastic:ListClusters",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "kms:DescribeKey",
                    "kms:ListAliases",
                    "kms:ListKeys",
                    "lambda:ListFunctions",
                    "rds:DescribeDBClusters",
                    "rds:DescribeDBInstances",
                    "redshift:DescribeClusters",
                    "redshift-serverless:ListWorkgroups",
                    "redshift-serverless:GetNamespace",
                    "tag:GetResources",
                ],
                ALL,
            ),
            allow(
                &[
                    "lambda:AddPermission",
                    "lambda:CreateFunction",
                    "lambda:GetFunction",
                    "lambda:InvokeFunction",
                    "lambda:UpdateFunctionConfiguration",
                ],
                &["arn:aws:lambda:*:*:function:SecretsManager*"],
            ),
            allow(
                &[
                    "serverlessrepo:CreateCloudFormationChangeSet",
                    "serverlessrepo:GetApplication",
                ],
                &["arn:aws:serverlessrepo:*:*:applications/SecretsManager*"],
            ),
            allow(
                &["s3:GetObject"],
                &[
                    "arn:aws:s3:::awsserverlessrepo-changesets*",
                    "arn:aws:s3:::secrets-manager-rotation-apps-*/*",
                ],
            ),
            // Condition: cloudformation:CreateAction is CreateChangeSet or ExecuteChangeSet.
            allow(
                &["cloudformation:TagResource", "cloudformation:UntagResource"],
                ALL,
            ),
        ],
    ),
    // MAMIP v1 (2015-05-29).
    (
        "AmazonSSMReadOnlyAccess",
        &[allow(&["ssm:Describe*", "ssm:Get*", "ssm:List*"], ALL)],
    ),
    // MAMIP v4 (2019-11-20).
    (
        "AmazonSSMFullAccess",
        &[
            allow(
                &[
                    "cloudwatch:PutMetricData",
                    "ds:CreateComputer",
                    "ds:DescribeDirectories",
                    "ec2:DescribeInstanceStatus",
                    "logs:*",
                    "ssm:*",
                    "ec2messages:*",
                ],
                ALL,
            ),
            // Condition: iam:AWSServiceName is ssm.amazonaws.com.
            allow(
                &["iam:CreateServiceLinkedRole"],
                &[
                    "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM*",
                ],
            ),
            allow(
                &[
                    "iam:DeleteServiceLinkedRole",
                    "iam:GetServiceLinkedRoleDeletionStatus",
                ],
                &[
                    "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM*",
                ],
            ),
            allow(
                &[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                ALL,
            ),
        ],
    ),
    // MAMIP v3 (2023-08-10).
    (
        "AmazonS3ReadOnlyAccess",
        &[allow(
            &[
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*",
            ],
            ALL,
        )],
    ),
    // MAMIP v3 (2023-03-06). The PassRole Allow has the condition `iam:PassedToService` is
    // ecs-tasks.amazonaws.com, the TagResource one `ecs:CreateAction` is RunTask.
    (
        "service-role/AmazonEC2ContainerServiceEventsRole",
        &[
            allow(&["ecs:RunTask"], ALL),
            allow(&["iam:PassRole"], ALL),
            allow(&["ecs:TagResource"], ALL),
        ],
    ),
    // MAMIP v2 (2021-09-27).
    (
        "AmazonS3FullAccess",
        &[allow(&["s3:*", "s3-object-lambda:*"], ALL)],
    ),
];

/// The statements of an AWS managed policy ARN in any partition; `None` for customer managed
/// policies and AWS managed policies not in the table.
fn managed_statements(arn: &str) -> Option<Vec<Option<Statement>>> {
    let arn = arn.trim();
    if super::arn::arn_service(arn)? != "iam" {
        return None;
    }
    let resource = super::arn::arn_resource(arn)?;
    // AWS managed policies live in the account named `aws`.
    if !arn[..arn.len() - resource.len()].ends_with(":aws:") {
        return None;
    }
    let name = resource.strip_prefix("policy/")?;
    let (_, statements) = MANAGED.iter().find(|(n, _)| *n == name)?;
    let exact = |list: &[&str]| list.iter().map(|s| Pattern::Exact(s.to_string())).collect();
    Some(
        statements
            .iter()
            .map(|s| {
                let negated = !s.not_actions.is_empty();
                Some(Statement {
                    effect: s.effect,
                    action: Field {
                        negated,
                        patterns: exact(if negated { s.not_actions } else { s.actions }),
                    },
                    resource: Some(Field {
                        negated: false,
                        patterns: exact(s.resources),
                    }),
                    conditional: false,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Entry;
    use serde_json::json;

    /// A node tree from JSON with dummy spans: strings become quoted scalars, numbers and
    /// booleans plain ones.
    fn node(value: serde_json::Value) -> Node {
        json_text::node(&value, &(0..0))
    }

    const EXEC: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    const LAYER_OBJECT: &str = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/layer.tar";

    fn doc(statements: serde_json::Value) -> Node {
        node(json!({"Version": "2012-10-17", "Statement": statements}))
    }

    fn eval_doc(d: &Node, action: &str, resource: Option<&str>) -> Decision {
        evaluate(&[PolicySource::Document(d)], action, resource)
    }

    #[test]
    fn json_helper_builds_quoted_and_plain_scalars() {
        let n = node(json!({"a": "x", "b": 1, "c": true, "d": [null]}));
        assert_eq!(n.get("a"), Some(&Node::scalar(0..0, "x", false)));
        assert_eq!(n.get("b"), Some(&Node::scalar(0..0, "1", true)));
        assert_eq!(n.get("c"), Some(&Node::scalar(0..0, "true", true)));
        assert!(n.get("d").is_some_and(|d| d.items()[0].is_null()));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("logs:*", "logs:createloggroup"));
        assert!(wildcard_match("ssm:getparameter*", "ssm:getparameters"));
        assert!(wildcard_match("ssm:getparameter*", "ssm:getparameter"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        assert!(wildcard_match("*-layer-bucket/*", "prod-x-layer-bucket/k"));
        assert!(!wildcard_match("logs:*", "ssm:getparameters"));
        assert!(!wildcard_match("", "x"));
    }

    #[test]
    fn managed_execution_policy() {
        let sources = [PolicySource::Managed(EXEC)];
        assert_eq!(
            evaluate(&sources, "ecr:BatchGetImage", None),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(&sources, "ECR:batchgetimage", None),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(&sources, "logs:CreateLogGroup", None),
            Decision::NotAllowed
        );
        assert_eq!(
            evaluate(
                &sources,
                "ssm:GetParameters",
                Some("arn:aws:ssm:us-east-1:1:parameter/x")
            ),
            Decision::NotAllowed
        );
    }

    #[test]
    fn managed_arns_in_other_partitions_and_unknown_ones() {
        let cn = "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        let gov = "arn:aws-us-gov:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        for arn in [cn, gov] {
            assert_eq!(
                evaluate(
                    &[PolicySource::Managed(arn)],
                    "ecr:GetAuthorizationToken",
                    None
                ),
                Decision::Allowed
            );
        }
        for arn in [
            // Wrong path: no such AWS managed policy.
            "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy",
            "arn:aws:iam::aws:policy/SomeFuturePolicy",
            // Customer managed policy of the same name.
            "arn:aws:iam::123456789012:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            "not an arn",
        ] {
            assert_eq!(
                evaluate(&[PolicySource::Managed(arn)], "ecr:BatchGetImage", None),
                Decision::Unknown,
                "{arn}"
            );
        }
    }

    #[test]
    fn instance_role_policy() {
        let arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
        let sources = [PolicySource::Managed(arn)];
        for action in [
            "ecs:RegisterContainerInstance",
            "ecs:DiscoverPollEndpoint",
            "ecs:Poll",
            "ecs:SubmitTaskStateChange",
            "ecs:TagResource",
        ] {
            assert_eq!(
                evaluate(&sources, action, None),
                Decision::Allowed,
                "{action}"
            );
        }
        assert_eq!(
            evaluate(
                &sources,
                "ecs:ListTagsForResource",
                Some("arn:aws:ecs:us-east-1:1:task/cluster/abc")
            ),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(
                &sources,
                "ecs:ListTagsForResource",
                Some("arn:aws:ecs:us-east-1:1:cluster/prod")
            ),
            Decision::NotAllowed
        );
        assert_eq!(
            evaluate(&sources, "ecs:RunTask", None),
            Decision::NotAllowed
        );
    }

    #[test]
    fn other_managed_policies() {
        let m = |name: &str| format!("arn:aws:iam::aws:policy/{name}");
        let admin = m("AdministratorAccess");
        assert_eq!(
            evaluate(
                &[PolicySource::Managed(&admin)],
                "kms:Decrypt",
                Some("arn:aws:kms:x")
            ),
            Decision::Allowed
        );
        let power = m("PowerUserAccess");
        let power = [PolicySource::Managed(&power)];
        assert_eq!(
            evaluate(&power, "secretsmanager:GetSecretValue", None),
            Decision::Allowed
        );
        assert_eq!(evaluate(&power, "iam:ListRoles", None), Decision::Allowed);
        assert_eq!(evaluate(&power, "iam:PassRole", None), Decision::NotAllowed);
        let core = m("AmazonSSMManagedInstanceCore");
        let core = [PolicySource::Managed(&core)];
        assert_eq!(
            evaluate(&core, "ssmmessages:OpenDataChannel", None),
            Decision::Allowed
        );
        assert_eq!(evaluate(&core, "ecs:Poll", None), Decision::NotAllowed);
        let logs = m("CloudWatchLogsFullAccess");
        assert_eq!(
            evaluate(&[PolicySource::Managed(&logs)], "logs:CreateLogGroup", None),
            Decision::Allowed
        );
        let ssm_ro = m("AmazonSSMReadOnlyAccess");
        assert_eq!(
            evaluate(&[PolicySource::Managed(&ssm_ro)], "ssm:GetParameters", None),
            Decision::Allowed
        );
        let sm = m("SecretsManagerReadWrite");
        assert_eq!(
            evaluate(
                &[PolicySource::Managed(&sm)],
                "secretsmanager:GetSecretValue",
                None
            ),
            Decision::Allowed
        );
    }

    #[test]
    fn inline_wildcard_actions() {
        let d = doc(json!([{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]));
        assert_eq!(eval_doc(&d, "logs:CreateLogGroup", None), Decision::Allowed);
        assert_eq!(
            eval_doc(&d, "ssm:GetParameters", None),
            Decision::NotAllowed
        );

        let d = doc(json!({"Effect": "Allow", "Action": ["ssm:GetParameter*"], "Resource": "*"}));
        assert_eq!(eval_doc(&d, "ssm:GetParameters", None), Decision::Allowed);
        assert_eq!(eval_doc(&d, "ssm:PutParameter", None), Decision::NotAllowed);

        let d = doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
        assert_eq!(eval_doc(&d, "kms:Decrypt", None), Decision::Allowed);
    }

    #[test]
    fn execution_role_with_extra_inline_policy() {
        let d =
            doc(json!([{"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": "*"}]));
        let sources = [PolicySource::Managed(EXEC), PolicySource::Document(&d)];
        assert_eq!(
            evaluate(&sources, "logs:CreateLogGroup", None),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(&sources, "ecr:BatchGetImage", None),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(&sources, "secretsmanager:GetSecretValue", None),
            Decision::NotAllowed
        );
    }

    #[test]
    fn deny_wins() {
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "logs:*", "Resource": "*"}
        ]));
        assert_eq!(
            eval_doc(&d, "logs:PutLogEvents", None),
            Decision::ExplicitlyDenied
        );
        assert_eq!(eval_doc(&d, "ecr:BatchGetImage", None), Decision::Allowed);
        // A Deny in one policy beats an Allow in another.
        let deny = doc(json!({"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}));
        assert_eq!(
            evaluate(
                &[PolicySource::Managed(EXEC), PolicySource::Document(&deny)],
                "ecr:BatchGetImage",
                None
            ),
            Decision::ExplicitlyDenied
        );
    }

    #[test]
    fn not_action() {
        let d = doc(json!([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]));
        assert_eq!(eval_doc(&d, "ssm:GetParameters", None), Decision::Allowed);
        assert_eq!(eval_doc(&d, "iam:PassRole", None), Decision::NotAllowed);
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "ecr:*", "Resource": "*"}
        ]));
        assert_eq!(eval_doc(&d, "ecr:BatchGetImage", None), Decision::Allowed);
        assert_eq!(
            eval_doc(&d, "logs:PutLogEvents", None),
            Decision::ExplicitlyDenied
        );
    }

    #[test]
    fn opaque_sources_make_missing_permissions_unknown() {
        let sources = [
            PolicySource::Managed(EXEC),
            PolicySource::Opaque("arn:aws:iam::123456789012:policy/team".to_string()),
        ];
        assert_eq!(
            evaluate(&sources, "logs:CreateLogGroup", None),
            Decision::Unknown
        );
        // A definite Allow elsewhere still settles it.
        assert_eq!(
            evaluate(&sources, "ecr:BatchGetImage", None),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(
                &[PolicySource::Opaque("x".into())],
                "ecr:BatchGetImage",
                None
            ),
            Decision::Unknown
        );
    }

    #[test]
    fn unreadable_documents_and_statements() {
        let unknown = Node::unknown(0..0, "known after apply");
        let if_doc = node(json!({"Fn::If": ["C", {"Statement": []}, {"Ref": "AWS::NoValue"}]}));
        for d in [
            doc(json!("not a statement")),
            node(json!({"Version": "2012-10-17"})),
            unknown.clone(),
            if_doc,
            doc(
                json!([{"Fn::If": ["C", {"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Ref": "AWS::NoValue"}]}]),
            ),
            doc(json!([{"Effect": {"Ref": "Effect"}, "Action": "logs:*", "Resource": "*"}])),
            doc(json!([{"Effect": "Allow", "Action": {"Ref": "Actions"}, "Resource": "*"}])),
            doc(json!([{"Effect": "Allow", "Resource": "*"}])),
            doc(json!([{"Effect": "Maybe", "Action": "*", "Resource": "*"}])),
            doc(json!([{"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}])),
            doc(json!(["just a string"])),
        ] {
            assert_eq!(
                eval_doc(&d, "logs:CreateLogGroup", None),
                Decision::Unknown,
                "{d:?}"
            );
        }
        let d = Node::map(
            0..0,
            vec![Entry {
                key: "Statement".into(),
                key_span: 0..0,
                value: Node::map(
                    0..0,
                    vec![
                        Entry {
                            key: "Effect".into(),
                            key_span: 0..0,
                            value: Node::scalar(0..0, "Allow", true),
                        },
                        Entry {
                            key: "Action".into(),
                            key_span: 0..0,
                            value: unknown.clone(),
                        },
                        Entry {
                            key: "Resource".into(),
                            key_span: 0..0,
                            value: Node::scalar(0..0, "*", true),
                        },
                    ],
                ),
            }],
        );
        assert_eq!(eval_doc(&d, "logs:CreateLogGroup", None), Decision::Unknown);
        // An empty statement list is readable and allows nothing.
        assert_eq!(
            eval_doc(&doc(json!([])), "logs:CreateLogGroup", None),
            Decision::NotAllowed
        );
    }

    #[test]
    fn conditions() {
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
        ]));
        assert_eq!(eval_doc(&d, "ecr:BatchGetImage", None), Decision::Unknown);
        assert_eq!(eval_doc(&d, "logs:PutLogEvents", None), Decision::Allowed);
        // A conditional Allow still counts as allowed.
        let d = doc(
            json!([{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                           "Condition": {"StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}}}]),
        );
        assert_eq!(eval_doc(&d, "kms:Decrypt", None), Decision::Allowed);
        // An empty Condition is no condition.
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecr:*", "Resource": "*", "Condition": {}}
        ]));
        assert_eq!(
            eval_doc(&d, "ecr:BatchGetImage", None),
            Decision::ExplicitlyDenied
        );
        // A conditional Deny with nothing allowing the action: not allowed either way.
        let d = doc(
            json!([{"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]),
        );
        assert_eq!(
            eval_doc(&d, "ecr:BatchGetImage", None),
            Decision::NotAllowed
        );
    }

    #[test]
    fn principals_narrow_like_conditions() {
        let d = doc(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:role/x"}, "Action": "s3:*", "Resource": "*"}
        ]));
        assert_eq!(eval_doc(&d, "s3:GetObject", None), Decision::Unknown);
        let d = doc(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}
        ]));
        assert_eq!(
            eval_doc(&d, "s3:GetObject", None),
            Decision::ExplicitlyDenied
        );
    }

    #[test]
    fn layer_bucket_resources() {
        let wildcard = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::prod-*-starport-layer-bucket/*"}]));
        assert_eq!(
            eval_doc(&wildcard, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::Allowed
        );

        let sub = doc(json!([{"Effect": "Allow", "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::prod-\u{E000}0\u{E001}-starport-layer-bucket/*"]}]));
        assert_eq!(
            eval_doc(&sub, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::Allowed
        );

        let mine = doc(
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::my-bucket/*"}]),
        );
        assert_eq!(
            eval_doc(&mine, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::NotAllowed
        );
        assert_eq!(
            eval_doc(&mine, "s3:GetObject", Some("arn:aws:s3:::my-bucket/k")),
            Decision::Allowed
        );
        // Resources are ignored when no resource is asked about.
        assert_eq!(eval_doc(&mine, "s3:GetObject", None), Decision::Allowed);
        // ARNs are case-sensitive.
        let upper = doc(
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::PROD-*"}]),
        );
        assert_eq!(
            eval_doc(&upper, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::NotAllowed
        );
    }

    #[test]
    fn approximated_and_opaque_resources() {
        // A resolved Fn::Sub or Fn::Join with a deploy-time part (a hole), an IAM policy
        // variable, a value known only at deploy time, an intrinsic that reached us unresolved.
        for resource in [
            json!("arn:aws:s3:::prod-\u{E000}0\u{E001}-starport-layer-bucket/*"),
            json!("arn:aws:s3:::prod-${aws:PrincipalTag/env}-starport-layer-bucket/*"),
            json!({"Fn::GetAtt": ["Bucket", "Arn"]}),
            json!({"Fn::ImportValue": "x"}),
        ] {
            let allow =
                doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]));
            assert_eq!(
                eval_doc(&allow, "s3:GetObject", Some(LAYER_OBJECT)),
                Decision::Allowed,
                "{resource}"
            );
            let deny = doc(json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": resource}
            ]));
            assert_eq!(
                eval_doc(&deny, "s3:GetObject", Some(LAYER_OBJECT)),
                Decision::Unknown,
                "{resource}"
            );
        }
        // An approximation that cannot match the resource rules the statement out.
        let join = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::my-\u{E000}0\u{E001}/*"}]));
        assert_eq!(
            eval_doc(&join, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::NotAllowed
        );
        let deny = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::\u{E000}0\u{E001}-logs/*.log"}
        ]));
        assert_eq!(
            eval_doc(&deny, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::Allowed
        );
    }

    #[test]
    fn request_values_with_unknown_parts() {
        let secret = "arn:aws:secretsmanager:\u{E000}0\u{E001}:\u{E000}1\u{E001}:secret:db-AbCdEf";
        let sub_secret = "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-AbCdEf";
        // Wildcards cover the unknown parts: definitely allowed, definitely denied.
        let d = doc(
            json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                           "Resource": "arn:aws:secretsmanager:*:*:secret:db-*"}]),
        );
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(secret)),
            Decision::Allowed
        );
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(sub_secret)),
            Decision::Allowed
        );
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:*"}
        ]));
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(secret)),
            Decision::ExplicitlyDenied
        );
        // A literal region may or may not be the unknown one: an Allow still counts, a Deny
        // only could apply, and a different secret name rules it out.
        let d = doc(
            json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                           "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*"}]),
        );
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(secret)),
            Decision::Allowed
        );
        let d = doc(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:secretsmanager:us-east-1:*"}
        ]));
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(secret)),
            Decision::Unknown
        );
        let d = doc(
            json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                           "Resource": "arn:aws:secretsmanager:*:*:secret:other-*"}]),
        );
        assert_eq!(
            eval_doc(&d, "secretsmanager:GetSecretValue", Some(secret)),
            Decision::NotAllowed
        );
    }

    #[test]
    fn overlap_of_patterns_with_unknowns() {
        let u = |s: &str| unknown_parts(s);
        let p = |s: &str| s.chars().collect::<Vec<char>>();
        assert!(overlaps(&p("a-*-c"), &u("a-\u{E000}0\u{E001}")));
        assert!(overlaps(&p("abc"), &u("a\u{E000}0\u{E001}c")));
        assert!(overlaps(&p("a?c"), &u("\u{E000}0\u{E001}")));
        assert!(!overlaps(&p("abc"), &u("x\u{E000}0\u{E001}")));
        assert!(!overlaps(&p("a*z"), &u("a\u{E000}0\u{E001}y")));
        // Unknown partition/region/account fields never contain ':'; the resource part may.
        let arn = u("arn:${AWS::Partition}:logs:\u{E000}0\u{E001}:1:\u{E000}1\u{E001}");
        assert!(!overlaps(
            &p("arn:aws:logs:*:*:x:secret:y"),
            &u("arn:aws:logs:\u{E000}0\u{E001}:1:z")
        ));
        assert!(overlaps(
            &p("arn:aws:logs:us-east-1:1:log-group:app:*"),
            &arn
        ));
        assert!(!overlaps(&p("arn:aws:logs:us-east-1:2:*"), &arn));
        assert!(overlaps(&p("*"), &u("\u{E000}0\u{E001}")));
        assert!(overlaps(&p("arn:aws:s3:::b/*"), &u("\u{E000}0\u{E001}")));
        assert!(covers(&p("a*"), &u("a\u{E000}0\u{E001}")));
        assert!(!covers(&p("a?"), &u("a\u{E000}0\u{E001}")));
        assert!(!covers(&p("abc"), &u("a\u{E000}0\u{E001}c")));
    }

    #[test]
    fn generated_names_match_only_themselves() {
        let role =
            |name: &str| format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}");
        let generated = |id: &str| role(&crate::graph::arn::generated_name(id));
        let pass = |resource: &str| {
            doc(json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}]))
        };
        let task = pass(&generated("TaskRole"));
        let decide = |d: &Node, arn: &str| eval_doc(d, "iam:PassRole", Some(arn));
        assert_eq!(decide(&task, &generated("TaskRole")), Decision::Allowed);
        // Another resource's generated name, or a literal name, is another role.
        assert_eq!(
            decide(&task, &generated("ExecutionRole")),
            Decision::NotAllowed
        );
        assert_eq!(decide(&task, &role("reports")), Decision::NotAllowed);
        // A name given at deploy time may be any name.
        assert_eq!(decide(&task, &role("${...}")), Decision::Allowed);
        // Against wildcards a generated name is an unknown name: an Allow may apply, a Deny
        // leaves the answer open, a literal name that differs cannot be it.
        assert_eq!(
            decide(&pass("arn:aws:iam::*:role/app-*"), &generated("TaskRole")),
            Decision::Allowed
        );
        assert_eq!(
            decide(&pass("*"), &generated("TaskRole")),
            Decision::Allowed
        );
        let deny = doc(json!([
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/app-*"}
        ]));
        assert_eq!(decide(&deny, &generated("TaskRole")), Decision::Unknown);
        assert_eq!(
            decide(&pass("arn:aws:iam::*:role/a:b"), &generated("TaskRole")),
            Decision::NotAllowed
        );
    }

    #[test]
    fn not_resource() {
        let d = doc(
            json!([{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]),
        );
        assert_eq!(
            eval_doc(&d, "s3:GetObject", Some(LAYER_OBJECT)),
            Decision::Allowed
        );
        assert_eq!(
            eval_doc(&d, "s3:GetObject", Some("arn:aws:s3:::secret/k")),
            Decision::NotAllowed
        );
    }

    #[test]
    fn json_text_documents_and_values() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup"],"Resource":"*"}]}"#;
        let d = Node::scalar(0..0, text, false);
        assert_eq!(eval_doc(&d, "logs:CreateLogGroup", None), Decision::Allowed);
        assert_eq!(
            eval_doc(&d, "logs:DeleteLogGroup", None),
            Decision::NotAllowed
        );
        assert_eq!(
            eval_doc(&Node::scalar(0..0, "{not json", false), "x:y", None),
            Decision::Unknown
        );
        let d = doc(
            json!([{"Effect": "Allow", "Action": "[\"ssm:GetParameters\", \"kms:Decrypt\"]", "Resource": "*"}]),
        );
        assert_eq!(eval_doc(&d, "kms:Decrypt", None), Decision::Allowed);
        assert_eq!(eval_doc(&d, "ssm:PutParameter", None), Decision::NotAllowed);
        // Plain (unquoted YAML) scalars work the same.
        let d = Node::map(
            0..0,
            vec![Entry {
                key: "Statement".into(),
                key_span: 0..0,
                value: Node::map(
                    0..0,
                    vec![
                        Entry {
                            key: "Effect".into(),
                            key_span: 0..0,
                            value: Node::scalar(0..0, "Allow", true),
                        },
                        Entry {
                            key: "Action".into(),
                            key_span: 0..0,
                            value: Node::scalar(0..0, "ssm:GetParameters", true),
                        },
                        Entry {
                            key: "Resource".into(),
                            key_span: 0..0,
                            value: Node::scalar(0..0, "*", true),
                        },
                    ],
                ),
            }],
        );
        assert_eq!(eval_doc(&d, "ssm:GetParameters", None), Decision::Allowed);
    }

    #[test]
    fn approximation() {
        assert_eq!(approximate("a${X}b${AWS::Region}c"), "a*b*c");
        assert_eq!(approximate("a\u{E000}12\u{E001}b"), "a*b");
        assert_eq!(approximate("a${unclosed"), "a${unclosed");
        assert_eq!(approximate("\u{E000}unclosed"), "\u{E000}unclosed");
        assert_eq!(approximate("héllo"), "héllo");
    }

    fn trust(statements: serde_json::Value) -> Decision {
        trusts(&doc(statements), "ecs-tasks.amazonaws.com")
    }

    #[test]
    fn trust_policy_names_the_service_as_string_or_list() {
        let allow = |principal| json!([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]);
        assert_eq!(
            trust(allow(json!({"Service": "ecs-tasks.amazonaws.com"}))),
            Decision::Allowed
        );
        assert_eq!(
            trust(allow(
                json!({"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com.cn"]})
            )),
            Decision::Allowed
        );
        assert_eq!(trust(allow(json!("*"))), Decision::Allowed);
        assert_eq!(trust(allow(json!({"AWS": "*"}))), Decision::Allowed);
        assert_eq!(
            trust(allow(json!({"Service": "ecs.amazonaws.com"}))),
            Decision::NotAllowed
        );
        assert_eq!(
            trust(allow(json!({"AWS": "arn:aws:iam::123456789012:root"}))),
            Decision::NotAllowed
        );
        // `${AWS::URLSuffix}` may be amazonaws.com.
        assert_eq!(
            trust(allow(json!({"Service": "ecs-tasks.${AWS::URLSuffix}"}))),
            Decision::Unknown
        );
        assert_eq!(
            trust(allow(json!({"Service": "ec2.${AWS::URLSuffix}"}))),
            Decision::NotAllowed
        );
    }

    #[test]
    fn trust_policy_actions_conditions_and_deny() {
        let with = |action: serde_json::Value| json!([{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": action}]);
        assert_eq!(trust(with(json!("sts:*"))), Decision::Allowed);
        assert_eq!(trust(with(json!(["*"]))), Decision::Allowed);
        assert_eq!(
            trust(with(json!("sts:AssumeRoleWithWebIdentity"))),
            Decision::NotAllowed
        );
        let conditional = json!([{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}
        }]);
        assert_eq!(trust(conditional), Decision::Allowed);
        let denied = json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:*"}
        ]);
        assert_eq!(trust(denied), Decision::ExplicitlyDenied);
        let maybe_denied = json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringNotEquals": {"aws:SourceAccount": "1"}}}
        ]);
        assert_eq!(trust(maybe_denied), Decision::Unknown);
    }

    #[test]
    fn trust_policy_not_principal_and_unreadable_documents() {
        let not_principal = |listed: &str| json!([{"Effect": "Allow", "NotPrincipal": {"Service": listed}, "Action": "sts:AssumeRole"}]);
        assert_eq!(trust(not_principal("ec2.amazonaws.com")), Decision::Allowed);
        assert_eq!(
            trust(not_principal("ecs-tasks.amazonaws.com")),
            Decision::NotAllowed
        );
        assert_eq!(
            trusts(&node(json!("not json")), "ecs-tasks.amazonaws.com"),
            Decision::Unknown
        );
        assert_eq!(
            trusts(
                &node(json!({"Version": "2012-10-17"})),
                "ecs-tasks.amazonaws.com"
            ),
            Decision::Unknown
        );
        let text = node(json!(
            "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"
        ));
        assert_eq!(trusts(&text, "ecs-tasks.amazonaws.com"), Decision::Allowed);
    }

    #[test]
    fn resources_with_unknown_names_and_revisions() {
        let run = |resource: &str| {
            doc(json!([{"Effect": "Allow", "Action": "ecs:RunTask", "Resource": resource}]))
        };
        let request = "arn:${P}:ecs:${R}:${A}:task-definition/cleanup-v2:${rev}";
        // A revision cannot contain `:`, so a policy for another family does not match even
        // where its account is unknown.
        let other = run(
            "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/cleanup:*",
        );
        assert_eq!(
            eval_doc(&other, "ecs:RunTask", Some(request)),
            Decision::NotAllowed
        );
        let family = run(
            "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/cleanup-v2:*",
        );
        assert_eq!(
            eval_doc(&family, "ecs:RunTask", Some(request)),
            Decision::Allowed
        );
        let pinned = run("arn:aws:ecs:eu-west-1:123456789012:task-definition/cleanup-v2:7");
        assert_eq!(
            eval_doc(&pinned, "ecs:RunTask", Some(request)),
            Decision::Allowed
        );
        let role = doc(json!([{"Effect": "Allow", "Action": "iam:PassRole",
            "Resource": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/import-execution"}]));
        assert_eq!(
            eval_doc(
                &role,
                "iam:PassRole",
                Some("arn:${P}:iam::${A}:role/import-task")
            ),
            Decision::NotAllowed
        );
        assert_eq!(
            eval_doc(
                &role,
                "iam:PassRole",
                Some("arn:${P}:iam::${A}:role/${name}")
            ),
            Decision::Allowed
        );
    }

    #[test]
    fn the_events_managed_role_runs_tasks_and_passes_roles() {
        let events = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole";
        let managed = [PolicySource::Managed(events)];
        let arn = Some("arn:aws:iam::123456789012:role/app-task");
        assert_eq!(evaluate(&managed, "iam:PassRole", arn), Decision::Allowed);
        assert_eq!(evaluate(&managed, "ecs:RunTask", None), Decision::Allowed);
        assert_eq!(
            evaluate(&managed, "ecs:StopTask", None),
            Decision::NotAllowed
        );
    }
}
