//! How resources named per region are told apart and paired: the last part of an ARN, a name
//! without its region words, a host name as load balancers and records write it.

/// The last part of an ARN (`arn:aws:rds:us-east-1:1:db:orders` → `orders`).
pub fn arn_name(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit([':', '/']).next().unwrap_or(arn)
    } else {
        arn
    }
}

/// Whether two names differ only by region words (`app-use1` and `app-usw2`, `web-primary`
/// and `web-dr`): how resources named per region are paired.
pub(super) fn stem(name: &str, region: &str) -> String {
    let short = short_region(region);
    let mut parts: Vec<&str> = name
        .split(['-', '_'])
        .filter(|p| {
            let p = p.to_ascii_lowercase();
            !(p == region
                || p == short
                || ["primary", "standby", "dr", "secondary", "prod", "main"].contains(&p.as_str()))
        })
        .collect();
    if parts.is_empty() {
        parts.push(name);
    }
    parts.join("-")
}

/// `us-east-1` → `use1`.
pub(super) fn short_region(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    match parts.as_slice() {
        [geo, dir, n] => {
            let mut d = String::new();
            let rest = if let Some(r) = dir.strip_prefix("north") {
                d.push('n');
                r
            } else if let Some(r) = dir.strip_prefix("south") {
                d.push('s');
                r
            } else {
                dir
            };
            d.extend(rest.chars().next());
            format!("{geo}{d}{n}")
        }
        _ => region.to_string(),
    }
}

/// Whether two host names are the same (a final dot, `dualstack.` and case aside).
pub fn same_host(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('.')
            .trim_start_matches("dualstack.")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pair_across_region_words() {
        assert_eq!(short_region("us-east-1"), "use1");
        assert_eq!(short_region("eu-central-1"), "euc1");
        assert_eq!(short_region("ap-southeast-2"), "apse2");
        assert_eq!(stem("app-use1", "us-east-1"), stem("app-usw2", "us-west-2"));
        assert_eq!(
            stem("web-primary", "us-east-1"),
            stem("web-dr", "us-west-2")
        );
        assert_ne!(stem("web", "us-east-1"), stem("worker", "us-west-2"));
        assert_eq!(arn_name("arn:aws:rds:us-east-1:1:db:orders"), "orders");
        assert_eq!(arn_name("arn:aws:ecs:us-east-1:1:cluster/orders"), "orders");
    }
}
