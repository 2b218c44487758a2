//! Whether an endpoint URL is one the AWS SDK can use.

/// An endpoint URL the AWS SDK can use: `http://` or `https://`, a host (name, IPv4, or
/// bracketed IPv6), an optional port from 1 to 65535, and an optional path. No user info,
/// query or fragment, no spaces or control characters.
pub fn endpoint_url(url: &str) -> Result<(), String> {
    let expected = || {
        format!(
            "expected an absolute http:// or https:// URL with a host, such as \
             \"http://127.0.0.1:5000\" or \"https://vpce-0abc.ec2.us-east-1.vpce.amazonaws.com\", \
             found {url:?}"
        )
    };
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &url["http://".len()..]
    } else if lower.starts_with("https://") {
        &url["https://".len()..]
    } else {
        return Err(expected());
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let bad = |why: &str| Err(format!("{} ({why})", expected()));
    if authority.contains('@') {
        return bad("credentials do not belong in the URL");
    }
    if url.contains('?') || url.contains('#') {
        return bad("no query or fragment");
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("the path has a space or a control character");
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return bad("an IPv6 address needs its closing `]`");
        };
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return bad("not an IPv6 address");
        }
        match after {
            "" => (v6, None),
            p => match p.strip_prefix(':') {
                Some(p) => (v6, Some(p)),
                None => return bad("unexpected text after the IPv6 address"),
            },
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return bad("no host");
    }
    if !authority.starts_with('[') {
        let labels = host.strip_suffix('.').unwrap_or(host);
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !labels.split('.').all(label_ok) {
            return bad("not a host name or IPv4 address");
        }
    }
    if let Some(p) = port {
        let ok = !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !ok {
            return bad("the port must be a number from 1 to 65535");
        }
    }
    Ok(())
}
