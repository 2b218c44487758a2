//! The run's clock against the estate's RTO objective: green, amber past 75 % of it, red past
//! it. Estate time: on a fast simulator it runs as fast as the simulated AWS does.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{App, RunView};
use crate::runbook::RunSummary;
use crate::runbook::report::secs;
use crate::ui::theme::Theme;

/// Share of the objective from which the clock turns amber.
const AMBER: f64 = 0.75;

fn style_for(theme: &Theme, elapsed: f64, goal: f64) -> Style {
    if elapsed > goal {
        theme.critical
    } else if elapsed >= AMBER * goal {
        theme.warning
    } else {
        theme.healthy
    }
}

/// `⏱ 2m 10s of RTO 15m` while the run goes on; `None` before its first event.
pub fn span<'a>(app: &App, theme: &Theme, run: &RunView) -> Option<Span<'a>> {
    let elapsed = run.elapsed(app.now)?;
    Some(match app.estate.rto_objective {
        Some(goal) => {
            let goal = goal.0.as_secs_f64();
            let over = if elapsed > goal { " OVER" } else { "" };
            Span::styled(
                format!(" ⏱ {} of RTO {}{over} ", secs(elapsed), secs(goal)),
                style_for(theme, elapsed, goal),
            )
        }
        None => Span::styled(format!(" ⏱ {} ", secs(elapsed)), theme.muted),
    })
}

/// A finished run's recovery as users feel it: until the alarms recover in the side DNS
/// moved to.
pub fn felt_line<'a>(app: &App, theme: &Theme, summary: &RunSummary) -> Line<'a> {
    let m = &summary.metrics;
    match (m.rto_alarms(), app.estate.rto_objective) {
        (Some(felt), Some(goal)) => Line::from(Span::styled(
            format!(
                " users: alarms recovered in {} at {} ({})",
                m.alarms_ok_side.map(|s| s.to_string()).unwrap_or_default(),
                secs(felt),
                if felt <= goal.0.as_secs_f64() {
                    "within the objective".to_string()
                } else {
                    format!("{} over", secs(felt - goal.0.as_secs_f64()))
                }
            ),
            style_for(theme, felt, goal.0.as_secs_f64()),
        )),
        (Some(felt), None) => Line::from(Span::styled(
            format!(
                " users: alarms recovered in {} at {}",
                m.alarms_ok_side.map(|s| s.to_string()).unwrap_or_default(),
                secs(felt)
            ),
            theme.title,
        )),
        (None, _) => Line::from(Span::styled(
            " users: the new active region's alarms not recovered before the run ended",
            theme.muted,
        )),
    }
}

/// A finished run's achieved RTO against the objective.
pub fn rto_line<'a>(app: &App, theme: &Theme, summary: &RunSummary) -> Line<'a> {
    let t = theme;
    let rto = summary.rto.map(|d| d.as_secs_f64());
    match (rto, app.estate.rto_objective) {
        (Some(rto), Some(goal)) => Line::from(Span::styled(
            format!(" RTO {}", crate::runbook::rto::against(rto, goal.0)),
            style_for(theme, rto, goal.0.as_secs_f64()),
        )),
        (Some(rto), None) => Line::from(Span::styled(
            format!(" achieved RTO {} (no rto_objective set)", secs(rto)),
            t.title,
        )),
        (None, _) => Line::from(Span::styled(
            " RTO not reached: DNS not moved, or its target's health checks not seen healthy",
            t.muted,
        )),
    }
}
