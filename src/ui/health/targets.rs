//! A region's health panel: its target groups' health and its CloudWatch alarms' states.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fitted;
use crate::app::{App, Panel};
use crate::model::{AlarmState, Side};
use crate::ui::theme::Theme;
use crate::ui::{self, region};

pub(super) fn draw_region(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, side: Side) {
    let t = theme;
    let block = region::block(
        app,
        theme,
        Panel::Health,
        side,
        "targets · alarms|health",
        area.width,
    );
    let state = app.state_of(side);
    let mut lines = region::banner(app, theme, side);
    if let Some(r) = &app.region(side).data {
        match &r.target_groups {
            Ok(groups) => {
                for g in groups {
                    if let Some(e) = &g.error {
                        lines.push(Line::from(Span::styled(
                            format!(" tg {}: {e}", g.name),
                            t.critical,
                        )));
                        continue;
                    }
                    let style = if g.healthy == 0 {
                        t.critical
                    } else if g.unhealthy > 0 {
                        t.warning
                    } else {
                        t.healthy
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" tg {:<12}", g.name),
                            ui::data_style(theme, state, t.text),
                        ),
                        Span::styled(
                            format!("{} healthy", g.healthy),
                            ui::data_style(theme, state, style),
                        ),
                        Span::styled(
                            format!(" · {} unhealthy · {} initial", g.unhealthy, g.other),
                            ui::data_style(theme, state, t.muted),
                        ),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(
                format!(" targets: {e}"),
                t.critical,
            ))),
        }
        match &r.alarms {
            Ok(alarms) => {
                for a in alarms {
                    let style = match a.state {
                        AlarmState::Ok => t.healthy,
                        AlarmState::InsufficientData => t.warning,
                        AlarmState::Alarm | AlarmState::Missing => t.critical,
                    };
                    let text = a.state.to_string();
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" alarm {:<22} ", a.name),
                            ui::data_style(theme, state, t.text),
                        ),
                        Span::styled(text, ui::data_style(theme, state, style)),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(
                format!(" alarms: {e}"),
                t.critical,
            ))),
        }
    }
    let width = area.width.saturating_sub(2) as usize;
    frame.render_widget(Paragraph::new(fitted(lines, width)).block(block), area);
}
