//! A step waiting for a second operator's approval. In the run that asked: who may approve,
//! how, and the time left. In a console following that run: the same plan, and how to approve
//! it (`a`, the step's id typed). What is approved is always shown whole below.

use std::time::{Duration, Instant};

use ratatui::text::{Line, Span};

use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, RunView, Typing};
use crate::runbook::api::ApprovalWait;
use crate::ui::theme::Theme;

/// `29 min`, or `45 s` in the last two minutes.
pub fn left_text(left: Duration) -> String {
    let s = left.as_secs();
    if s >= 120 {
        format!("{} min", s.div_ceil(60))
    } else {
        format!("{s} s")
    }
}

/// The question pane's title, pinned rows and body for `wait`.
pub fn lines<'a>(
    app: &App,
    theme: &Theme,
    run: &RunView,
    wait: &ApprovalWait,
    deadline: Instant,
) -> (Line<'a>, Vec<Line<'a>>, Vec<Line<'a>>) {
    let t = theme;
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    let left = deadline.saturating_duration_since(app.now);
    let clock = if left.is_zero() {
        Span::styled(
            " time is up: the run stops at this step".to_string(),
            t.critical,
        )
    } else {
        Span::styled(
            format!(
                " time left {} (until {} UTC) · plan sha256 {}",
                left_text(left),
                wait.expires_at.format("%H:%M:%S"),
                wait.plan_sha256.get(..12).unwrap_or(&wait.plan_sha256)
            ),
            if left < Duration::from_secs(120) {
                t.critical
            } else {
                t.warning
            },
        )
    };
    let mut pinned = Vec::new();
    let title;
    if run.is_following() {
        title = Line::from(Span::styled(" APPROVAL REQUESTED ", t.danger));
        pinned.push(Line::from(Span::styled(
            format!(
                " {}: {} — confirmed by {}, waits for another operator's approval",
                wait.step, wait.title, wait.requested_by
            ),
            t.danger,
        )));
        match &app.typing {
            Some(Typing::Approve(typed)) => pinned.push(Line::from(vec![
                Span::styled(
                    format!(
                        " type {} and press {} to approve this plan: ",
                        wait.step,
                        edit_key(Edit::Submit)
                    ),
                    t.danger,
                ),
                Span::styled(format!("{typed}█"), t.title),
                Span::styled(format!("  ({} cancels)", edit_key(Edit::Cancel)), t.muted),
            ])),
            _ => pinned.push(Line::from(vec![
                Span::raw(" "),
                key(key_of(Command::Approve)),
                Span::styled(" then type ", t.text),
                Span::styled(wait.step.clone(), t.title),
                Span::styled(" to approve the plan below · ", t.text),
                key(key_of(Command::Cancel)),
                Span::styled(" stop following", t.text),
            ])),
        }
    } else {
        title = Line::from(Span::styled(" WAITING FOR APPROVAL ", t.warning));
        pinned.push(Line::from(Span::styled(
            format!(
                " {}: {} — confirmed; waiting for approval by another operator",
                wait.step, wait.title
            ),
            t.warning,
        )));
        pinned.push(Line::from(vec![
            Span::styled(" another operator runs ", t.text),
            Span::styled(wait.command.clone(), t.title),
        ]));
        pinned.push(Line::from(vec![
            Span::styled(" or, following this run: ", t.muted),
            key(key_of(Command::Approve)),
            Span::styled(format!(" then {} · ", wait.step), t.muted),
            key(key_of(Command::Abort)),
            Span::styled(" abort", t.muted),
        ]));
    }
    pinned.push(Line::from(clock));
    let body = wait
        .plan
        .iter()
        .map(|l| {
            let style = if l.starts_with("DATA LOSS") || l.contains("IRREVERSIBLE") {
                t.critical
            } else {
                t.text
            };
            Line::from(Span::styled(format!(" {l}"), style))
        })
        .chain(std::iter::once(Line::from(Span::styled(
            format!(" request kept in {}", wait.store),
            t.muted,
        ))))
        .collect();
    (title, pinned, body)
}
