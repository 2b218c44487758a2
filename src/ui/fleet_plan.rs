//! The evacuation's plan view (each estate's steps, calls, data loss and what it will skip,
//! scrollable, in place of the estates while the phrase is typed), and the new decision an
//! estate needs when its loss grew past the one shown. Pure rendering of [`FleetApp`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::app::fleet::{Evacuation, FleetApp, Reask};
use crate::runbook::batch::plan::render_plan;

fn style_of(line: &str, theme: &Theme) -> Style {
    let t = line.trim_start();
    if t.contains("DATA LOSS") {
        theme.danger
    } else if t.starts_with("==") {
        theme.title.add_modifier(Modifier::BOLD)
    } else if t.contains(" — SKIP") {
        theme.muted
    } else if t.starts_with("call ") {
        theme.text
    } else {
        theme.muted.remove_modifier(Modifier::DIM)
    }
}

/// The plan view: every estate's plan, from the line scrolled to.
pub fn draw_plan(frame: &mut Frame, area: Rect, fleet: &FleetApp, e: &Evacuation, theme: &Theme) {
    let names: Vec<&str> = e
        .estates
        .iter()
        .map(|i| fleet.apps.get(*i).map_or("?", |a| a.estate.name.as_str()))
        .collect();
    let text = e.plan_lines(&names);
    let room = area.height.saturating_sub(2) as usize;
    let max = text.len().saturating_sub(room);
    let top = e.scroll.min(max);
    fleet.plan_max.set(max);
    fleet.page.set(room.max(1));
    let lines: Vec<Line> = text
        .iter()
        .skip(top)
        .take(room)
        .map(|l| Line::styled(l.clone(), style_of(l, theme)))
        .collect();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.danger)
        .title(format!(
            " Plan: {} of {} estate(s) active in {} ",
            e.runbook,
            e.estates.len(),
            e.region
        ));
    if top > 0 {
        block = block.title(Line::styled(format!(" ▲ {top} more "), theme.muted).right_aligned());
    }
    let below = text.len().saturating_sub(top + room);
    if below > 0 {
        block = block
            .title_bottom(Line::styled(format!(" ▼ {below} more "), theme.muted).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// `up to 12s`, `none`, `unknown`.
fn shown_text(secs: Option<u64>) -> String {
    match secs {
        Some(0) => "none".into(),
        Some(s) => format!("up to {}", crate::timefmt::secs(s)),
        None => "unknown".into(),
    }
}

/// The estate whose loss grew: what was shown, what it is now, its plan, and what to type.
pub fn draw_reask(frame: &mut Frame, fleet: &FleetApp, r: &Reask, theme: &Theme) {
    let area = frame.area();
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(24);
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let name = fleet
        .apps
        .get(r.estate)
        .map_or("?", |a| a.estate.name.as_str());
    let now = match (&r.plan, r.loss()) {
        (None, _) => "reading…".to_string(),
        (Some(_), Some(l)) => l.to_string(),
        (Some(_), None) => "none".to_string(),
    };
    let mut lines = vec![
        Line::styled(
            format!("{name}: its data loss grew past what the evacuation showed"),
            theme.danger,
        ),
        Line::styled(
            format!("shown: {} · now: {now}", shown_text(r.shown.up_to_secs)),
            theme.danger,
        ),
        Line::styled(
            "It stopped before discarding anything; the other estates go on.",
            theme.text,
        ),
        Line::raw(""),
    ];
    let prompt = [
        Line::raw(""),
        Line::styled(
            format!("type DISCARD to fail {name} over accepting this loss, or SKIP to leave it"),
            theme.warning,
        ),
        Line::styled(
            format!("Enter · Esc later (d)  > {}", r.typed),
            theme.warning,
        ),
    ];
    let room = (h as usize).saturating_sub(2 + lines.len() + prompt.len());
    if let Some(p) = &r.plan {
        lines.extend(
            render_plan(p)
                .lines()
                .take(room)
                .map(|l| Line::styled(l.to_string(), style_of(l, theme))),
        );
    }
    lines.extend(prompt);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.danger)
        .title(" A new decision ");
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
