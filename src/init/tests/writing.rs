//! The file written from a draft: names that need quoting are quoted and it parses.

use serde_json::json;

use super::super::write;
use super::{draft_of, estate};

#[test]
fn odd_names_are_quoted_and_the_file_parses() {
    let mut rs = estate();
    if let Some(svc) = rs.iter_mut().find(|r| r.address == "aws_ecs_service.p") {
        svc.values.insert("name".into(), json!("we\"b\\x"));
    }
    let mut d = draft_of(rs);
    d.name = "a \"quoted\" name".into();
    let text = write::render(&d, &write::Style::default());
    let v: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(v["name"].as_str(), Some("a \"quoted\" name"));
}
