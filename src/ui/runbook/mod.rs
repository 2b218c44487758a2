//! The run view: while a runbook runs it takes the screen: its steps (the current one in
//! view), the question the engine waits on (never cut: it scrolls), and the live log, under
//! the header line and a one-line status strip. The keys it names come from the key tables.
//! The runbook picker and an unfinished run's notice are drawn on the dashboard.

mod approval;
mod clock;
mod log;
mod picker;
mod question;
mod steps;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::theme::Theme;
use super::{Drawn, footer, header, strip};
use crate::app::keys::{Command, key_of};
use crate::app::{App, RunPane, RunView};

use log::draw_log;
use picker::draw_picker;
use question::draw_question;
use steps::draw_steps;

/// From this width the log stands beside the steps and the question; below it, under them.
const SIDE_BY_SIDE: u16 = 120;

/// The live log in `area` (the dashboard's spare rows during a run).
pub fn draw_log_pane(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, run: &RunView) {
    draw_log(frame, area, app, theme, run);
}

/// Whether the dashboard shows the unfinished-run notice.
pub fn idle_shown(app: &App) -> bool {
    app.run.is_none() && app.unfinished.is_some() && !app.read_only
}

/// Rows the unfinished-run notice takes.
pub fn idle_rows(short: bool) -> u16 {
    if short { 3 } else { 4 }
}

pub fn draw_view(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Drawn {
    let Some(run) = &app.run else {
        return Drawn::default();
    };
    let [head, strip_area, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(header::first_line(app, theme, head.width as usize)),
        head,
    );
    strip::draw(frame, strip_area, app, theme);
    footer::draw(frame, foot, app, theme);
    let question = question::Question::of(app, theme, run);
    let drawn = if body.width >= SIDE_BY_SIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(body);
        let q = question.rows_wanted(left.width);
        let steps_need = run.steps.len() as u16 + 2;
        let q_rows = q.min(left.height.saturating_sub(5));
        let steps_rows = left.height.saturating_sub(q_rows).min(steps_need).max(5);
        let [s, qa, rest] = Layout::vertical([
            Constraint::Length(steps_rows),
            Constraint::Length(left.height.saturating_sub(steps_rows).min(q)),
            Constraint::Min(0),
        ])
        .areas(left);
        draw_steps(frame, s, app, theme, run);
        draw_log(frame, right, app, theme, run);
        draw_capacity(frame, rest, app, theme);
        draw_question(frame, qa, app, theme, run, &question)
    } else {
        let q = question.rows_wanted(body.width);
        let steps_need = run.steps.len() as u16 + 2;
        let log_min = 4;
        let steps_min = 4.min(steps_need);
        let q_rows = q.min(body.height.saturating_sub(steps_min + log_min));
        let rest = body.height.saturating_sub(q_rows);
        let steps_rows = steps_need.min(rest.saturating_sub(log_min).max(steps_min));
        let steps_rows = steps_rows.min((rest / 2).max(steps_min));
        let [s, qa, l] = Layout::vertical([
            Constraint::Length(steps_rows),
            Constraint::Length(q_rows),
            Constraint::Min(0),
        ])
        .areas(body);
        draw_steps(frame, s, app, theme, run);
        draw_log(frame, l, app, theme, run);
        draw_question(frame, qa, app, theme, run, &question)
    };
    if app.picker.is_some() {
        draw_picker_pane(frame, body, app, theme);
    }
    drawn
}

/// Rows left under the steps and the question show what a run changes most: both regions'
/// ECS services and Auto Scaling groups, as many rows as there is room for.
fn draw_capacity(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let services = super::dashboard::table_rows(app, app.estate.services().len());
    let asgs = super::dashboard::table_rows(app, app.estate.asgs.len());
    if area.height < 5 {
        return;
    }
    let svc_rows = services.min(area.height);
    let [svc, asg] =
        Layout::vertical([Constraint::Length(svc_rows), Constraint::Min(0)]).areas(area);
    super::scaling::draw_services(frame, svc, app, theme);
    if asg.height >= 4 {
        super::scaling::draw_asgs(
            frame,
            Rect {
                height: asg.height.min(asgs),
                ..asg
            },
            app,
            theme,
        );
    }
}

/// A pane's frame; thick when the scroll keys move it.
fn block<'a>(theme: &Theme, title: Line<'a>, tag: Option<Span<'a>>, focused: bool) -> Block<'a> {
    let mut b = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused { theme.focus } else { theme.muted })
        .title(title);
    if let Some(tag) = tag {
        b = b.title_top(Line::from(tag).right_aligned());
    }
    b
}

fn focused(run: &RunView, pane: RunPane) -> bool {
    run.pane == pane
}

/// The dashboard's notice of a run the console found unfinished.
pub fn draw_idle(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let mut lines = Vec::new();
    if let Some(j) = &app.unfinished {
        let done = j.steps.iter().filter(|s| s.status.is_final()).count();
        lines.push(Line::from(super::fit::truncate_spans(
            vec![Span::styled(
                format!(
                    " UNFINISHED RUN {} ({}): {done} of {} steps finished when the console stopped",
                    j.run_id,
                    j.runbook,
                    j.steps.len()
                ),
                t.warning,
            )],
            area.width.saturating_sub(2) as usize,
        )));
        lines.push(Line::from(Span::styled(
            format!(
                " press {} and choose \"resume\": completed steps are not repeated",
                key_of(Command::Runbooks)
            ),
            t.text,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(
            theme,
            Line::from(Span::styled(" Runbook ", t.title)),
            None,
            false,
        )),
        area,
    );
}

/// The runbook list, a pane of its own at the top of `area`, as tall as its entries need.
pub fn draw_picker_pane(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    draw_picker(frame, area, app, theme);
}
