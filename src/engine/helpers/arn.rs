//! Pieces of an ARN: `arn:partition:service:region:account:resource`.
//!
//! Values written with `Fn::Sub` may still contain `${AWS::Partition}`-style references, whose
//! `::` must not be taken for field separators, so the split skips over `${...}`.

/// The byte offsets of the first `n` field-separating colons of `s`.
fn separators(s: &str, n: usize) -> Vec<usize> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() && found.len() < n {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => found.push(i),
            _ => {}
        }
        i += 1;
    }
    found
}

/// The service of an ARN (`arn:aws:secretsmanager:...` → `secretsmanager`), any partition.
pub fn arn_service(s: &str) -> Option<&str> {
    if !s.starts_with("arn:") {
        return None;
    }
    let seps = separators(s, 3);
    let (&start, &end) = (seps.get(1)?, seps.get(2)?);
    let partition = &s[seps[0] + 1..start];
    let service = &s[start + 1..end];
    (!partition.is_empty() && !service.is_empty()).then_some(service)
}

/// Everything after the fifth colon of an ARN (`arn:aws:s3:::bucket/key` → `bucket/key`).
pub fn arn_resource(s: &str) -> Option<&str> {
    if !s.starts_with("arn:") {
        return None;
    }
    let fifth = *separators(s, 5).get(4)?;
    Some(&s[fifth + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_in_any_partition() {
        assert_eq!(
            arn_service("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"),
            Some("secretsmanager")
        );
        assert_eq!(
            arn_service("arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x"),
            Some("ssm")
        );
        assert_eq!(arn_service("arn:aws-us-gov:s3:::bucket/key"), Some("s3"));
        assert_eq!(
            arn_service("arn:aws:secretsmanager:..."),
            Some("secretsmanager")
        );
    }

    #[test]
    fn service_with_placeholders_and_sub_references() {
        assert_eq!(
            arn_service("arn:\u{E000}0\u{E001}:secretsmanager:\u{E000}1\u{E001}:1:secret:x"),
            Some("secretsmanager")
        );
        assert_eq!(
            arn_service("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x"),
            Some("ssm")
        );
    }

    #[test]
    fn service_rejects_non_arns() {
        for s in [
            "",
            "arn",
            "arn:",
            "arn:aws",
            "arn:aws:",
            "arn::s3:::b",
            "arn:aws::x",
            "ARN:aws:s3:::b",
            "/aws/service/x",
            "my-secret",
            "xarn:aws:s3:::b",
        ] {
            assert_eq!(arn_service(s), None, "{s:?}");
        }
    }

    #[test]
    fn resource_part() {
        assert_eq!(arn_resource("arn:aws:s3:::bucket/key"), Some("bucket/key"));
        assert_eq!(
            arn_resource("arn:aws:ssm:us-east-1:123456789012:parameter/app/db:password"),
            Some("parameter/app/db:password")
        );
        assert_eq!(
            arn_resource("arn:aws:secretsmanager:us-east-1:1:secret:db:password::"),
            Some("secret:db:password::")
        );
        assert_eq!(
            arn_resource("arn:${AWS::Partition}:s3:::${Bucket}/*"),
            Some("${Bucket}/*")
        );
        assert_eq!(arn_resource("arn:aws:s3:::"), Some(""));
    }

    #[test]
    fn resource_rejects_short_or_non_arns() {
        for s in [
            "",
            "arn:aws:s3::",
            "arn:aws:secretsmanager:...",
            "bucket/key",
            "arn",
        ] {
            assert_eq!(arn_resource(s), None, "{s:?}");
        }
    }
}
