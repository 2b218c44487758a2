//! Key paths in the file: splitting and writing dotted keys, and finding where a key path is
//! written (line and column) so that every error can point at it.

/// Splits a dotted key as written (`a . "b.c" . d`) into its segments, quotes removed and
/// escapes in basic strings decoded, each rendered as error messages write it (`segment`).
fn dotted(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                let hex = |n: usize, chars: &mut std::str::Chars| {
                    let digits: String = chars.take(n).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                };
                let decoded = match chars.next() {
                    Some('n') => Some('\n'),
                    Some('t') => Some('\t'),
                    Some('r') => Some('\r'),
                    Some('b') => Some('\u{8}'),
                    Some('f') => Some('\u{c}'),
                    Some('e') => Some('\u{1b}'),
                    Some('x') => hex(2, &mut chars),
                    Some('u') => hex(4, &mut chars),
                    Some('U') => hex(8, &mut chars),
                    other => other,
                };
                current.extend(decoded);
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => out.push(segment(std::mem::take(&mut current).trim())),
            (None, c) => current.push(c),
        }
    }
    out.push(segment(current.trim()));
    out
}

/// A key path segment as errors write it: bare when it is a plain key, else quoted with
/// quotes, backslashes and control characters escaped (so that an error message never carries
/// a control character to the terminal).
pub fn segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        return key.to_string();
    }
    let mut out = String::from("\"");
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where each key of an inline table on this line starts: (key, byte offset in the line).
/// Only the first level of nesting is followed, which is what estate files use.
fn inline_keys(line: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let Some(open) = line.find('{').filter(|&o| line[..o].trim().is_empty()) else {
        return out;
    };
    let bytes = line.as_bytes();
    let mut i = open + 1;
    let mut depth = 1;
    let mut in_string: Option<u8> = None;
    let mut expecting_key = true;
    while i < bytes.len() && depth > 0 {
        let b = bytes[i];
        if let Some(q) = in_string {
            if b == b'\\' && q == b'"' {
                i += 1;
            } else if b == q {
                in_string = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => in_string = Some(b),
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b',' if depth == 1 => expecting_key = true,
            b'=' => expecting_key = false,
            b' ' | b'\t' => {}
            _ if expecting_key && depth == 1 => {
                let end = line[i..].find('=').map_or(line.len(), |e| i + e);
                let key = dotted(&line[i..end]).join(".");
                out.push((key, i));
                expecting_key = false;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Finds where a dotted key path (`asgs[1].production`, `database.kind`,
/// `asgs[0].production.desired`) is written, as (line, column), both from 1. Array-of-tables
/// headers are counted (`[[a]]` twice makes `a[1]`, and a `[[a.b]]` under it is `a[1].b[0]`),
/// and keys inside an inline table are found on their line. Falls back to the nearest
/// enclosing table or key, then to 1:1.
pub fn locate_key(text: &str, key: &str) -> (usize, usize) {
    use std::collections::HashMap;
    let mut header = String::new();
    // Array-of-tables paths (with indices resolved) -> how many seen so far.
    let mut counts: HashMap<String, usize> = HashMap::new();
    // Resolves a dotted table path against the arrays of tables seen: `a.b` -> `a[2].b`.
    let resolve = |segments: &[String], counts: &HashMap<String, usize>| {
        let mut path = String::new();
        for seg in segments {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(seg);
            if let Some(n) = counts.get(&path) {
                path = format!("{path}[{}]", n.saturating_sub(1));
            }
        }
        path
    };
    let mut best: Option<(usize, usize, usize)> = None; // (matched length, line, column)
    let mut consider = |here: &str, line: usize, column: usize| {
        let matched = if here == key {
            usize::MAX
        } else if key.starts_with(&format!("{here}.")) || key.starts_with(&format!("{here}[")) {
            here.len()
        } else {
            0
        };
        if matched > 0 && best.is_none_or(|(m, _, _)| matched > m) {
            best = Some((matched, line, column));
        }
    };
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        let indent = raw[..raw.len() - line.len()].chars().count();
        if let Some(rest) = line.strip_prefix("[[") {
            let name = dotted(rest.split("]]").next().unwrap_or(""));
            let (last, parents) = name.split_last().expect("split always yields one");
            let parent = resolve(parents, &counts);
            let full = if parent.is_empty() {
                last.clone()
            } else {
                format!("{parent}.{last}")
            };
            let idx = counts.entry(full.clone()).or_insert(0);
            header = format!("{full}[{idx}]");
            *idx += 1;
            consider(&header, n + 1, indent + 1);
        } else if let Some(rest) = line.strip_prefix('[') {
            header = resolve(&dotted(rest.split(']').next().unwrap_or("")), &counts);
            consider(&header, n + 1, indent + 1);
        } else if let Some((k, value)) = line.split_once('=') {
            if k.trim().is_empty() || k.trim_start().starts_with('#') {
                continue;
            }
            let k = dotted(k).join(".");
            let here = if header.is_empty() {
                k
            } else {
                format!("{header}.{k}")
            };
            consider(&here, n + 1, indent + 1);
            let value_at = raw.len() - value.len();
            for (inner, at) in inline_keys(value) {
                let column = raw[..value_at + at].chars().count() + 1;
                consider(&format!("{here}.{inner}"), n + 1, column);
            }
        }
    }
    best.map(|(_, l, c)| (l, c)).unwrap_or((1, 1))
}
