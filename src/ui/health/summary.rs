//! The health panels in one line each: where DNS points and how many checks are healthy; per
//! region, its target groups and alarms, naming only what is not well.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, FeedState, Panel};
use crate::model::{AlarmState, Side};
use crate::ui::theme::Theme;
use crate::ui::{self, region};

/// One line per panel: where DNS points and how many checks are healthy; per region, its
/// target groups and alarms, naming only what is not well.
pub fn draw_summary(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let [global, regions] =
        Layout::horizontal([Constraint::Percentage(34), Constraint::Percentage(66)]).areas(area);
    let state = app.global_state();
    let block = ui::block(
        app,
        theme,
        Panel::Health,
        Line::from(Span::styled(" Route 53 ", t.title)),
        Some(ui::freshness(theme, state, app.global.age(app.now))),
    );
    let width = block.inner(global).width as usize;
    let mut spans = Vec::new();
    match app.global.data.as_ref() {
        _ if state == FeedState::Unreachable => {
            spans.push(Span::styled(" UNREACHABLE", t.unreachable))
        }
        None => spans.push(Span::styled(" loading…", t.muted)),
        Some(g) => {
            match &g.dns {
                Some(Ok(d)) => spans.extend(ui::dns::summary(d, theme, state)),
                Some(Err(_)) => spans.push(Span::styled(" DNS unreadable", t.critical)),
                None => {}
            }
            match &g.health_checks {
                Ok(checks) if !checks.is_empty() => {
                    let ok = checks.iter().filter(|c| c.healthy == Some(true)).count();
                    let style = if ok == checks.len() {
                        t.healthy
                    } else {
                        t.critical
                    };
                    spans.push(Span::styled(
                        format!(" · {ok}/{} ok", checks.len()),
                        ui::data_style(theme, state, style),
                    ));
                }
                Ok(_) => {}
                Err(_) => spans.push(Span::styled(" · checks unreadable", t.critical)),
            }
        }
    }
    frame.render_widget(
        Paragraph::new(Line::from(ui::fit::truncate_spans(spans, width))).block(block),
        global,
    );
    for (side, half) in Side::BOTH.into_iter().zip(ui::halves(regions)) {
        let block = region::block(app, theme, Panel::Health, side, "health", half.width);
        let width = block.inner(half).width as usize;
        let line = Line::from(ui::fit::truncate_spans(
            region_summary(app, theme, side),
            width,
        ));
        frame.render_widget(Paragraph::new(line).block(block), half);
    }
}

/// A region's targets and alarms in a few words: counts when all is well, names when not.
fn region_summary<'a>(app: &App, theme: &Theme, side: Side) -> Vec<Span<'a>> {
    let t = theme;
    let state = app.state_of(side);
    let Some(r) = &app.region(side).data else {
        return match state {
            FeedState::Unreachable => vec![Span::styled(" UNREACHABLE", t.unreachable)],
            FeedState::Throttled => vec![Span::styled(" THROTTLED by AWS", t.warning)],
            _ => vec![Span::styled(" loading…", t.muted)],
        };
    };
    let style = |s| ui::data_style(theme, state, s);
    let mut spans = Vec::new();
    if state == FeedState::Unreachable {
        spans.push(Span::styled(" UNREACHABLE, as of before:", t.unreachable));
    }
    if state == FeedState::Throttled {
        spans.push(Span::styled(" THROTTLED, as last read:", t.warning));
    }
    match &r.target_groups {
        Ok(groups) => {
            let bad: Vec<_> = groups
                .iter()
                .filter(|g| g.error.is_some() || g.healthy == 0 || g.unhealthy > 0)
                .collect();
            if bad.is_empty() && !groups.is_empty() {
                let healthy: u32 = groups.iter().map(|g| g.healthy).sum();
                spans.push(Span::styled(format!(" tg {healthy} ok"), style(t.healthy)));
            }
            for g in bad {
                // A group that could not be read has no counts to show, not zeros.
                if g.error.is_some() {
                    spans.push(Span::styled(
                        format!(" tg {} unreadable", g.name),
                        t.critical,
                    ));
                    continue;
                }
                spans.push(Span::styled(
                    format!(
                        " tg {} {}/{} healthy",
                        g.name,
                        g.healthy,
                        g.healthy + g.unhealthy + g.other
                    ),
                    style(if g.healthy == 0 {
                        t.critical
                    } else {
                        t.warning
                    }),
                ));
            }
        }
        Err(_) => spans.push(Span::styled(" targets unreadable", t.critical)),
    }
    match &r.alarms {
        Ok(alarms) => {
            let bad: Vec<_> = alarms
                .iter()
                .filter(|a| a.state != AlarmState::Ok)
                .collect();
            if bad.is_empty() && !alarms.is_empty() {
                spans.push(Span::styled(" · alarms OK".to_string(), style(t.healthy)));
            }
            for a in bad {
                spans.push(Span::styled(
                    format!(" · {} {}", a.name, a.state),
                    style(if a.state == AlarmState::InsufficientData {
                        t.warning
                    } else {
                        t.critical
                    }),
                ));
            }
        }
        Err(_) => spans.push(Span::styled(" · alarms unreadable", t.critical)),
    }
    spans
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::backend::Backend;
    use crate::backend::sim::{SimClock, Simulator, built_in_estate};
    use crate::model::Scope;
    use crate::poll::{PollEvent, Reading};

    #[tokio::test]
    async fn a_target_group_that_could_not_be_read_shows_no_counts() {
        let estate = built_in_estate();
        let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
        let mut reading = sim.read_region(Side::Standby).await.expect("read");
        let groups = reading.target_groups.as_mut().expect("groups read");
        groups[0].error = Some("TargetGroupNotFound".into());
        groups[0].healthy = 0;
        let name = groups[0].name.clone();
        let now = Instant::now();
        let mut app = App::new(estate, "SIMULATION".into(), true, now);
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Region(Side::Standby),
            at: now,
            result: Ok(Reading::Region(Box::new(reading))),
        });
        let text: String = region_summary(&app, &Theme::dark(), Side::Standby)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert!(text.contains(&format!(" tg {name} unreadable")), "{text}");
        assert!(!text.contains("0/0"), "{text}");
    }
}
