//! The question the engine waits on, never cut: what is asked and how to answer stay pinned
//! at the top (the step, `IRREVERSIBLE`, the text to type, a data loss); below them every
//! warning, call and current → target, wrapped, scrolling when the pane is too short. On a
//! terminal too small to show it whole the pane says so, and `y` is refused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, clock, focused};
use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, MIN_CONFIRM, Question as Asked, RunPane, RunView, Typing};
use crate::runbook::RunOutcome;
use crate::ui::Drawn;
use crate::ui::fit::wrap;
use crate::ui::theme::Theme;

/// Continuation rows of a wrapped line start this far in.
const INDENT: usize = 4;

/// The question as lines, before wrapping.
pub struct Question<'a> {
    title: Line<'a>,
    pinned: Vec<Line<'a>>,
    body: Vec<Line<'a>>,
}

impl<'a> Question<'a> {
    /// What the pane shows for `run` now: a question, a finished run, or nothing.
    pub fn of(app: &App, theme: &Theme, run: &RunView) -> Question<'a> {
        let t = theme;
        let mut q = Question {
            title: Line::default(),
            pinned: Vec::new(),
            body: Vec::new(),
        };
        if run.summary.is_some() {
            finished(app, theme, run, &mut q);
            return q;
        }
        match &run.question {
            None => {}
            Some(_) if !app.screen_fits_confirm() => {
                let (w, h) = app.screen.unwrap_or_default();
                q.title = Line::from(Span::styled(" TERMINAL TOO SMALL TO CONFIRM ", t.danger));
                q.pinned.push(Line::from(Span::styled(
                    format!(
                        " {w}×{h} cannot show the whole question: at least {}×{} does. {} is refused until then.",
                        MIN_CONFIRM.0,
                        MIN_CONFIRM.1,
                        key_of(Command::Confirm)
                    ),
                    t.danger,
                )));
            }
            Some(Asked::Confirm(p)) => confirm(app, theme, p, &mut q),
            Some(Asked::Approval { wait, deadline }) => {
                let (title, pinned, body) =
                    super::approval::lines(app, theme, run, wait, *deadline);
                q.title = title;
                q.pinned = pinned;
                q.body = body;
            }
            Some(Asked::Decide {
                step,
                error,
                optional,
                needs_primary,
            }) => {
                q.title = Line::from(Span::styled(format!(" FAILED {step} "), t.critical));
                q.pinned
                    .push(Line::from(Span::styled(format!(" {error}"), t.critical)));
                if *needs_primary {
                    q.pinned.push(Line::from(Span::styled(
                        " this step needs the primary region, which is unreachable: skip it to go on",
                        t.warning,
                    )));
                } else if *optional {
                    q.pinned
                        .push(Line::from(Span::styled(" the step is optional", t.muted)));
                }
                let key = |k: String| Span::styled(format!(" {k} "), t.badge);
                q.pinned.push(Line::from(vec![
                    Span::raw(" "),
                    key(key_of(Command::Retry)),
                    Span::styled(" retry · ", t.text),
                    key(key_of(Command::Skip)),
                    Span::styled(" skip (with a reason) · ", t.text),
                    key(key_of(Command::Abort)),
                    Span::styled(" abort", t.text),
                ]));
            }
        }
        if let Some(Typing::SkipReason(reason)) = &app.typing {
            q.pinned.push(Line::from(vec![
                Span::styled(" reason for skipping: ", t.warning),
                Span::styled(format!("{reason}█"), t.title),
                Span::styled(
                    format!(
                        "  ({} skips, {} cancels)",
                        edit_key(Edit::Submit),
                        edit_key(Edit::Cancel)
                    ),
                    t.muted,
                ),
            ]));
        }
        q
    }

    fn is_empty(&self) -> bool {
        self.pinned.is_empty() && self.body.is_empty()
    }

    /// Rows the pane needs to show everything at `width` columns (borders included); 0 when
    /// there is nothing to show.
    pub fn rows_wanted(&self, width: u16) -> u16 {
        if self.is_empty() {
            return 0;
        }
        let (pinned, body) = self.rows(width.saturating_sub(2) as usize);
        (pinned.len() + body.len() + 2) as u16
    }

    fn rows(&self, width: usize) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
        let wrap_all = |lines: &[Line<'a>]| -> Vec<Line<'a>> {
            lines.iter().flat_map(|l| wrap(l, width, INDENT)).collect()
        };
        (wrap_all(&self.pinned), wrap_all(&self.body))
    }
}

/// A step (or group) awaiting confirmation.
fn confirm<'a>(app: &App, theme: &Theme, p: &crate::runbook::ConfirmPrompt, q: &mut Question<'a>) {
    let t = theme;
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    q.title = Line::from(Span::styled(" CONFIRM ", t.danger));
    q.pinned.push(Line::from(Span::styled(
        format!(" {}: {}", p.step, p.title),
        t.danger,
    )));
    match (&p.type_to_confirm, &app.typing) {
        (Some(phrase), Some(Typing::Region(typed))) => q.pinned.push(Line::from(vec![
            Span::styled(
                format!(
                    " IRREVERSIBLE: type {phrase} and press {}: ",
                    edit_key(Edit::Submit)
                ),
                t.danger,
            ),
            Span::styled(format!("{typed}█"), t.title),
            Span::styled(format!("  ({} cancels)", edit_key(Edit::Cancel)), t.muted),
        ])),
        (Some(phrase), _) => q.pinned.push(Line::from(vec![
            Span::styled(" IRREVERSIBLE ", t.danger),
            key(key_of(Command::Confirm)),
            Span::styled(" then type ", t.text),
            Span::styled(phrase.clone(), t.title),
            Span::styled(" · ", t.text),
            key(key_of(Command::Skip)),
            Span::styled(" skip · ", t.text),
            key(key_of(Command::Abort)),
            Span::styled(" abort", t.text),
        ])),
        (None, _) => q.pinned.push(Line::from(vec![
            Span::raw(" "),
            key(key_of(Command::Confirm)),
            Span::styled(
                if p.instruction.is_some() {
                    " done, continue · "
                } else {
                    " confirm · "
                },
                t.text,
            ),
            key(key_of(Command::Skip)),
            Span::styled(" skip · ", t.text),
            key(key_of(Command::Abort)),
            Span::styled(
                format!(" abort   ({} does not confirm)", key_of(Command::Select)),
                t.text,
            ),
        ])),
    }
    // What confirming throws away is never scrolled out of sight.
    for d in &p.discards {
        q.pinned.push(Line::from(Span::styled(
            format!(" DATA LOSS {d}"),
            t.danger,
        )));
    }
    if let Some(i) = &p.instruction {
        q.pinned
            .push(Line::from(Span::styled(format!(" MANUAL: {i}"), t.title)));
    }
    for w in p.warnings.iter().filter(|w| !w.contains("DATA LOSS")) {
        q.body
            .push(Line::from(Span::styled(format!(" ⚠ {w}"), t.warning)));
    }
    for c in &p.calls {
        q.body.push(Line::from(vec![
            Span::styled(" call ", t.muted),
            Span::styled(
                c.describe.clone(),
                if c.irreversible { t.critical } else { t.text },
            ),
            Span::styled(if c.irreversible { "  IRREVERSIBLE" } else { "" }, t.danger),
        ]));
    }
    for c in &p.changes {
        q.body
            .push(Line::from(Span::styled(format!(" {c}"), t.text)));
    }
}

/// A run that has ended: its outcome, the RTO against the objective, the report.
fn finished<'a>(app: &App, theme: &Theme, run: &RunView, q: &mut Question<'a>) {
    let t = theme;
    let Some(summary) = &run.summary else { return };
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    q.title = match &summary.outcome {
        RunOutcome::Completed => Line::from(Span::styled(" COMPLETED ", t.healthy)),
        RunOutcome::Aborted { .. } => Line::from(Span::styled(" ABORTED ", t.critical)),
    };
    if let RunOutcome::Aborted { reason } = &summary.outcome {
        q.pinned
            .push(Line::from(Span::styled(format!(" {reason}"), t.critical)));
    }
    q.pinned.push(clock::rto_line(app, theme, summary));
    q.pinned.push(clock::felt_line(app, theme, summary));
    q.pinned.push(Line::from(Span::styled(
        format!(
            " skipped {} · report {}",
            summary.skipped.len(),
            summary
                .report
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "not written".into())
        ),
        t.text,
    )));
    if run.drill {
        q.pinned.push(Line::from(Span::styled(
            " a drill: the report says so",
            t.text,
        )));
    }
    if let Some(last) = run.findings.last() {
        q.pinned.push(Line::from(Span::styled(
            format!(" finding {} added: {last}", run.findings.len()),
            t.text,
        )));
    }
    if let Some(Typing::Finding(typed)) = &app.typing {
        q.pinned.push(Line::from(vec![
            Span::styled(" finding (one line, audited): ", t.warning),
            Span::styled(format!("{typed}█"), t.title),
        ]));
        q.pinned.push(Line::from(Span::styled(
            format!(
                " {} adds it to the report · {} cancels",
                edit_key(Edit::Submit),
                edit_key(Edit::Cancel)
            ),
            t.muted,
        )));
        return;
    }
    let mut keys = vec![
        Span::raw(" "),
        key(key_of(Command::Cancel)),
        Span::styled(" close  ", t.muted),
    ];
    if !run.is_following() {
        keys.push(key(key_of(Command::Finding)));
        keys.push(Span::styled(" add a finding  ", t.muted));
    }
    keys.push(key(key_of(Command::Runbooks)));
    keys.push(Span::styled(" another runbook", t.muted));
    q.pinned.push(Line::from(keys));
}

/// Draws the question in `area`; returns how far its body can scroll there.
pub(super) fn draw_question(
    frame: &mut Frame,
    area: Rect,
    _app: &App,
    theme: &Theme,
    run: &RunView,
    q: &Question,
) -> Drawn {
    if q.is_empty() || area.height < 3 {
        return Drawn::default();
    }
    let t = theme;
    let width = area.width.saturating_sub(2) as usize;
    let (pinned, body) = q.rows(width);
    let inner_rows = area.height.saturating_sub(2) as usize;
    // The pinned rows always show; the body scrolls in what is left (at least one row).
    let pinned_shown = pinned
        .len()
        .min(inner_rows.saturating_sub(usize::from(!body.is_empty())));
    let room = inner_rows - pinned_shown;
    let max = body.len().saturating_sub(room);
    let from = run.prompt_scroll.min(max);
    let mut lines: Vec<Line> = pinned.into_iter().take(pinned_shown).collect();
    lines.extend(body.iter().skip(from).take(room).cloned());
    let mut outer = block(theme, q.title.clone(), None, focused(run, RunPane::Prompt));
    if max > 0 {
        let below = max - from;
        let text = if below > 0 {
            format!(
                " rows {}–{} of {} · ↓ {below} more: {} ",
                from + 1,
                from + room,
                body.len(),
                crate::app::keys::keys_of(&[Command::Down, Command::PageDown])
            )
        } else {
            format!(" end · {} back up ", key_of(Command::Up))
        };
        outer = outer.title_bottom(Line::from(Span::styled(text, t.warning)).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(outer), area);
    Drawn {
        prompt_max: Some(max),
    }
}
