//! Header: estate, mode, both regions with their account, role and health, where DNS points,
//! badges.

mod account;
mod regions;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::App;
use crate::posture::PostureState;
use regions::regions_line;
pub use regions::{Detail, dns_side, region_spans};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let width = area.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            first_line(app, theme, width),
            regions_line(app, theme, width),
        ]),
        area,
    );
}

/// Estate, mode, posture, badges, freshness: what does not fit `width` is left out, least
/// useful first (the poll interval, then the refresh age, then the active region's name),
/// never cut mid-word.
pub fn first_line<'a>(app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let t = theme;
    let mut parts: Vec<(u8, Vec<Span<'a>>)> = vec![
        (9, vec![Span::styled(" drconsole ", t.title)]),
        (2, vec![Span::styled("│ ", t.muted)]),
        (
            8,
            vec![
                Span::styled(app.estate.name.clone(), t.title),
                Span::raw(" "),
            ],
        ),
    ];
    if app.simulation {
        parts.push((10, vec![Span::styled(" SIMULATION ", t.simulation)]));
    } else {
        // `AWS` always; which profiles and endpoints only where there is room (the regions
        // line names the regions), so that a narrow screen keeps the estate's name.
        parts.push((10, vec![Span::styled(" AWS ", t.badge)]));
        let detail = app.mode.strip_prefix("AWS").unwrap_or(&app.mode).trim();
        if !detail.is_empty() {
            parts.push((2, vec![Span::styled(format!(" {detail}"), t.muted)]));
        }
    }
    parts.extend(posture_parts(app, theme));
    if app.read_only {
        parts.push((
            10,
            vec![Span::raw(" "), Span::styled(" READ-ONLY ", t.badge)],
        ));
    }
    if app.paused {
        parts.push((
            9,
            vec![Span::raw(" "), Span::styled(" POLLING PAUSED ", t.warning)],
        ));
    }
    parts.push((
        4,
        vec![Span::styled(
            format!(
                "  refreshed {}",
                crate::timefmt::age(
                    app.last_refresh()
                        .map(|t| app.now.saturating_duration_since(t))
                ),
            ),
            t.muted,
        )],
    ));
    parts.push((
        1,
        vec![Span::styled(
            format!("  poll {}", crate::timefmt::dur(app.interval())),
            t.muted,
        )],
    ));
    let faults = active_faults(app);
    if !faults.is_empty() {
        parts.push((
            7,
            vec![Span::styled(
                format!("  faults: {}", faults.join(", ")),
                t.danger,
            )],
        ));
    }
    super::fit::drop_to_fit(parts, width)
}

/// The posture and the active region, always shown: red with what disagrees on a split brain.
fn posture_parts<'a>(app: &App, theme: &Theme) -> Vec<(u8, Vec<Span<'a>>)> {
    let t = theme;
    let p = app.posture();
    let style = match p.state {
        PostureState::Normal | PostureState::Reprotected => t.healthy,
        PostureState::FailedOver => t.warning,
        PostureState::SplitBrain => t.danger,
        PostureState::Unknown => t.muted,
    };
    let active = p
        .active
        .map(|s| format!(" · active {} {}", s, app.estate.region(s).region))
        .unwrap_or_default();
    let mut parts = vec![
        (
            10,
            vec![
                Span::raw(" "),
                Span::styled(format!(" {} ", p.state.as_str().to_uppercase()), style),
            ],
        ),
        (5, vec![Span::styled(active, t.text)]),
    ];
    // What disagrees, or what could not be read: said, never guessed.
    match p.state {
        PostureState::SplitBrain => {
            parts.push((6, vec![Span::styled(format!(" {} ", p.detail), t.danger)]))
        }
        PostureState::Unknown => {
            parts.push((3, vec![Span::styled(format!(" ({})", p.detail), t.muted)]))
        }
        _ => {}
    }
    parts
}

fn active_faults(app: &App) -> Vec<&'static str> {
    let f = app.faults;
    let mut out = Vec::new();
    if f.primary_dark {
        out.push("primary dark");
    }
    if f.replication_stopped {
        out.push("replication stopped");
    }
    if f.throttling {
        out.push("throttling");
    }
    if f.stuck_step {
        out.push("stuck step");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_aws_badge_says_aws_once_and_gives_way_before_the_estate_name() {
        let estate = crate::backend::sim::built_in_estate();
        let name = estate.name.clone();
        let mode =
            "AWS us-east-1 profile shop-prod · us-west-2 profile shop-dr via http://127.0.0.1:4566";
        let app = App::new(estate, mode.into(), false, Instant::now());
        let theme = Theme::dark();
        let wide = text(&first_line(&app, &theme, 200));
        assert!(wide.contains(" AWS  us-east-1 profile shop-prod"), "{wide}");
        assert!(!wide.contains("AWS AWS"), "{wide}");
        let narrow = text(&first_line(&app, &theme, 60));
        assert!(narrow.contains(&name), "{narrow}");
        assert!(narrow.contains(" AWS "), "{narrow}");
        assert!(!narrow.contains("shop-prod"), "{narrow}");
    }
}
