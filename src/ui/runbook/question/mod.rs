//! The question the engine waits on, never cut: what is asked and how to answer stay pinned
//! at the top (the step, `IRREVERSIBLE`, the text to type, a data loss); below them every
//! warning, call and current → target, wrapped, scrolling when the pane is too short. On a
//! terminal too small to show it whole the pane says so, and `y` is refused.

mod confirm;
mod draw;
mod finished;

use ratatui::text::{Line, Span};

use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, MIN_CONFIRM, Question as Asked, RunView, Typing};
use crate::ui::fit::wrap;
use crate::ui::theme::Theme;
use confirm::confirm;
pub(super) use draw::draw_question;
use finished::finished;

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
