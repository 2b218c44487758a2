//! Themes: meaning-named styles (healthy, warning, stale, primary, danger, ...) loaded from
//! TOML. Built-in themes ship in the binary; a user file overrides only the styles it names.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub focus: Style,
    pub healthy: Style,
    pub warning: Style,
    pub critical: Style,
    pub stale: Style,
    pub unreachable: Style,
    pub primary: Style,
    pub standby: Style,
    pub danger: Style,
    pub simulation: Style,
    pub badge: Style,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

impl Theme {
    fn blank(name: &str) -> Theme {
        let s = Style::default();
        Theme {
            name: name.into(),
            text: s,
            muted: s,
            title: s,
            focus: s,
            healthy: s,
            warning: s,
            critical: s,
            stale: s,
            unreachable: s,
            primary: s,
            standby: s,
            danger: s,
            simulation: s,
            badge: s,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut Style> {
        Some(match key {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "title" => &mut self.title,
            "focus" => &mut self.focus,
            "healthy" => &mut self.healthy,
            "warning" => &mut self.warning,
            "critical" => &mut self.critical,
            "stale" => &mut self.stale,
            "unreachable" => &mut self.unreachable,
            "primary" => &mut self.primary,
            "standby" => &mut self.standby,
            "danger" => &mut self.danger,
            "simulation" => &mut self.simulation,
            "badge" => &mut self.badge,
            _ => return None,
        })
    }

    /// Applies a theme file's text on top of `self`.
    fn overlay(mut self, text: &str, origin: &str) -> Result<Theme, String> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if let Some(name) = file.name {
            self.name = name;
        }
        for (key, spec) in file.styles {
            let style = spec
                .to_style()
                .map_err(|e| format!("{origin}: styles.{key}: {e}"))?;
            let slot = self
                .slot(&key)
                .ok_or_else(|| format!("{origin}: unknown style `{key}`"))?;
            *slot = style;
        }
        Ok(self)
    }

    /// The default dark theme.
    pub fn dark() -> Theme {
        Theme::named("dark").unwrap_or_else(|_| Theme::blank("plain"))
    }

    pub fn named(name: &str) -> Result<Theme, String> {
        let (_, text) = BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| format!("no built-in theme named {name:?}"))?;
        Theme::blank(name).overlay(text, name)
    }

    /// A built-in theme's name, or a path to a theme file laid over the dark theme.
    pub fn load(spec: &str) -> Result<Theme, String> {
        if BUILT_IN.iter().any(|(n, _)| *n == spec) {
            return Theme::named(spec);
        }
        let path = Path::new(spec);
        let text = std::fs::read_to_string(path).map_err(|e| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            format!(
                "theme {spec:?}: not a built-in theme ({}) and not a readable file: {e}",
                names.join(", ")
            )
        })?;
        Theme::dark().overlay(&text, spec)
    }

    /// Removes colour (for `NO_COLOR`), keeping bold/italic/reverse so states stay apart.
    pub fn without_color(mut self) -> Theme {
        for key in [
            "text",
            "muted",
            "title",
            "focus",
            "healthy",
            "warning",
            "critical",
            "stale",
            "unreachable",
            "primary",
            "standby",
            "danger",
            "simulation",
            "badge",
        ] {
            if let Some(s) = self.slot(key) {
                let had_bg = s.bg.is_some();
                s.fg = None;
                s.bg = None;
                if had_bg {
                    *s = s.add_modifier(Modifier::REVERSED);
                }
            }
        }
        self
    }
}

impl StyleSpec {
    fn to_style(&self) -> Result<Style, String> {
        let mut style = Style::default();
        if let Some(fg) = &self.fg {
            style = style.fg(Color::from_str(fg).map_err(|_| format!("unknown colour {fg:?}"))?);
        }
        if let Some(bg) = &self.bg {
            style = style.bg(Color::from_str(bg).map_err(|_| format!("unknown colour {bg:?}"))?);
        }
        for m in &self.modifiers {
            style = style.add_modifier(match m.as_str() {
                "bold" => Modifier::BOLD,
                "dim" => Modifier::DIM,
                "italic" => Modifier::ITALIC,
                "underlined" => Modifier::UNDERLINED,
                "reversed" => Modifier::REVERSED,
                "slow_blink" => Modifier::SLOW_BLINK,
                "crossed_out" => Modifier::CROSSED_OUT,
                other => return Err(format!("unknown modifier {other:?}")),
            });
        }
        Ok(style)
    }
}
