//! The fleet overview: one row per estate, worst first, under a summary line; or the open
//! estate's own dashboard. Pure rendering of [`FleetApp`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::theme::Theme;
use crate::app::FeedState;
use crate::app::fleet::scroll::window;
use crate::app::fleet::{FleetApp, Row};
use crate::model::{Lag, Side};
use crate::posture::PostureState;
use crate::readiness::Verdict;

/// Below this many columns for the run, it is drawn on a line of its own.
const NARROW_RUN: usize = 24;

/// Draws the open estate's own console (its dashboard or its run view), or the overview
/// (with the evacuation's plan view, and an estate's new decision, over it).
pub fn draw(frame: &mut Frame, fleet: &FleetApp, theme: &Theme) {
    draw_measured(frame, fleet, theme);
}

/// [`draw`], saying what the open estate's run view measured (see [`super::draw_measured`]).
pub fn draw_measured(frame: &mut Frame, fleet: &FleetApp, theme: &Theme) -> super::Drawn {
    if let Some(i) = fleet.open
        && let Some(app) = fleet.apps.get(i)
    {
        return super::draw_measured(frame, app, theme);
    }
    draw_overview(frame, frame.area(), fleet, theme);
    if fleet.reask_open
        && let Some(r) = fleet.reasks.first()
    {
        super::fleet_plan::draw_reask(frame, fleet, r, theme);
    }
    super::Drawn::default()
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else if width == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

fn posture_style(p: PostureState, theme: &Theme) -> Style {
    match p {
        PostureState::Normal => theme.healthy,
        PostureState::FailedOver | PostureState::Reprotected => theme.warning,
        PostureState::SplitBrain => theme.critical,
        PostureState::Unknown => theme.muted,
    }
}

fn reach(state: FeedState, credentials_fail: bool) -> &'static str {
    match state {
        _ if credentials_fail => "CREDS",
        FeedState::Fresh => "ok",
        FeedState::Stale => "stale",
        FeedState::Unreachable => "DOWN",
        FeedState::Throttled => "BUSY",
        FeedState::Loading => "…",
    }
}

fn lag_text(r: &Row) -> String {
    match r.lag {
        _ if r.lag_verdict == "—" => "—".into(),
        Lag::Known(s) => format!("{} /{}", crate::timefmt::secs(s), r.budget),
        Lag::Stopped => "STOPPED".into(),
        Lag::NoData => "no data".into(),
    }
}

pub fn draw_overview(frame: &mut Frame, area: Rect, fleet: &FleetApp, theme: &Theme) {
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let (rows, s) = fleet.view();
    let mut title = vec![
        Span::styled(" drconsole ", theme.title),
        Span::raw(match fleet.apps.len() {
            1 => "│ fleet: 1 estate ".to_string(),
            n => format!("│ fleet: {n} estates "),
        }),
    ];
    if fleet.apps.iter().any(|a| a.simulation) {
        title.push(Span::styled(" SIMULATION ", theme.simulation));
    }
    if fleet.read_only {
        title.push(Span::styled(" READ-ONLY ", theme.badge));
    }
    let summary = Line::from(vec![
        Span::styled(format!(" {} normal", s.normal), theme.healthy),
        Span::raw(" · "),
        Span::styled(format!("{} degraded", s.degraded), theme.warning),
        Span::raw(" · "),
        Span::styled(format!("{} failed over", s.failed_over), theme.warning),
        Span::raw(" · "),
        Span::styled(format!("{} unknown", s.unknown), theme.muted),
        Span::raw(if fleet.filter.is_empty() && !fleet.filtering {
            String::new()
        } else {
            format!(
                "   filter: {}{}",
                fleet.filter,
                if fleet.filtering { "▏" } else { "" }
            )
        }),
    ]);
    frame.render_widget(Paragraph::new(vec![Line::from(title), summary]), head);

    let w = table.width.saturating_sub(2) as usize;
    // name, posture, active, lag, ready, dns, reach; the run takes what is left.
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 18);
    let fixed = name_w + 1 + 12 + 10 + 14 + 9 + 8 + 11;
    let run_w = w.saturating_sub(fixed);
    let mut lines = vec![Line::styled(
        format!(
            "{}{}{}{}{}{}{}{}",
            cut("estate", name_w + 1),
            cut("posture", 12),
            cut("active", 10),
            cut("lag /budget", 14),
            cut("ready", 9),
            cut("dns", 8),
            cut("pri/stby", 11),
            cut("run", run_w)
        ),
        theme.muted,
    )];
    // The rows that fit under the column heads, from the first the selection needs; a run
    // too long for its column takes a line of its own under its row.
    let room = table.height.saturating_sub(3) as usize;
    let height = |i: usize| {
        if run_w < NARROW_RUN && rows[i].run.is_some() {
            2
        } else {
            1
        }
    };
    let (top, count) = window(fleet.top.get(), fleet.selected, rows.len(), room, height);
    fleet.top.set(top);
    fleet.page.set(count.max(1));
    for (i, r) in rows.iter().enumerate().skip(top).take(count) {
        let selected = i == fleet.selected;
        let mark = |st: Style| {
            if selected {
                st.add_modifier(Modifier::REVERSED)
            } else {
                st
            }
        };
        let ready = match r.readiness {
            Verdict::Ready => ("READY", theme.healthy),
            Verdict::Degraded => ("DEGRADED", theme.critical),
            Verdict::Unknown => ("UNKNOWN", theme.muted),
        };
        let lag_style = match r.lag_verdict {
            "ok" => theme.healthy,
            "warn" => theme.warning,
            "over" => theme.critical,
            _ => theme.muted,
        };
        let dns = match r.dns {
            Some(Side::Primary) => "primary",
            Some(Side::Standby) => "standby",
            None => "—",
        };
        let reach_text = format!(
            "{}/{}",
            reach(r.reach[0], r.credentials_fail[0]),
            reach(r.reach[1], r.credentials_fail[1])
        );
        let reach_style =
            if r.reach.contains(&FeedState::Unreachable) || r.credentials_fail.contains(&true) {
                theme.critical
            } else {
                theme.text
            };
        lines.push(Line::from(vec![
            Span::styled(cut(&r.name, name_w + 1), mark(theme.text)),
            Span::styled(
                cut(&r.posture.as_str().to_uppercase(), 12),
                mark(posture_style(r.posture, theme)),
            ),
            Span::styled(
                cut(r.active_region.as_deref().unwrap_or("—"), 10),
                mark(theme.text),
            ),
            Span::styled(cut(&lag_text(r), 14), mark(lag_style)),
            Span::styled(cut(ready.0, 9), mark(ready.1)),
            Span::styled(cut(dns, 8), mark(theme.text)),
            Span::styled(cut(&reach_text, 11), mark(reach_style)),
            Span::styled(
                cut(
                    r.run
                        .as_deref()
                        .filter(|_| run_w >= NARROW_RUN)
                        .unwrap_or(""),
                    run_w,
                ),
                mark(theme.text),
            ),
        ]));
        // Too narrow for the run beside the row: it gets a line of its own under it.
        if run_w < NARROW_RUN
            && let Some(run) = &r.run
        {
            lines.push(Line::styled(cut(&format!("  ↳ {run}"), w), theme.text));
        }
    }
    if rows.is_empty() {
        lines.push(Line::styled(
            format!("no estate matches {:?}", fleet.filter),
            theme.muted,
        ));
    }
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(" Estates (worst first) ");
    if top > 0 {
        block = block.title(Line::styled(format!(" ▲ {top} more "), theme.muted).right_aligned());
    }
    let below = rows.len().saturating_sub(top + count);
    if below > 0 {
        block = block
            .title_bottom(Line::styled(format!(" ▼ {below} more "), theme.muted).right_aligned());
    }
    match &fleet.evacuation {
        Some(e) => super::fleet_plan::draw_plan(frame, table, fleet, e, theme),
        None => frame.render_widget(Paragraph::new(lines).block(block), table),
    }

    let footer = match (&fleet.evacuation, &fleet.notice) {
        (Some(e), _) => {
            let mut spans = vec![Span::styled(" EVACUATE ", theme.danger)];
            if !e.planned() {
                let read = e.plans.iter().filter(|p| p.is_some()).count();
                spans.push(Span::styled(
                    format!(" reading plans {read}/{} ", e.plans.len()),
                    theme.warning,
                ));
            }
            if let Some(loss) = &e.data_loss {
                spans.push(Span::styled(format!(" {loss} "), theme.danger));
            }
            spans.push(Span::raw(format!(
                " {} {} estate(s) active in {}: type {} then Enter · ↑↓ PgUp PgDn plan · Esc cancel  > {}",
                e.runbook,
                e.estates.len(),
                e.region,
                e.phrase(),
                e.typed
            )));
            Line::from(spans)
        }
        (None, Some(n)) => Line::styled(format!(" {n}"), theme.warning),
        (None, None) if !fleet.reasks.is_empty() => Line::styled(
            format!(
                " {} estate(s) of the evacuation wait for a decision: d decide",
                fleet.reasks.len()
            ),
            theme.danger,
        ),
        (None, None) => Line::styled(
            " ↑↓ PgUp PgDn Home End  Enter open  / filter  x evacuate  r refresh  q quit",
            theme.muted,
        ),
    };
    frame.render_widget(Paragraph::new(footer), foot);
}
