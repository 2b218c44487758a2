//! The live log as people read it: a step that waits updates one line in place instead of
//! adding one per poll (the audit log keeps every event), and the log can be narrowed to one
//! step or to the lines that contain a search.

use std::collections::VecDeque;

use crate::runbook::LogLine;

/// Live-log lines kept on screen (the audit log keeps everything).
pub const LOG_LINES: usize = 2000;

/// How the engine words a step still waiting for its target state.
const WAITING: &str = "waiting: ";

/// One line of the live log. A waiting line is rewritten in place by the next reading of
/// the same step, and remembers when the step began to wait.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub line: LogLine,
    /// Estate time the step began to wait, for a waiting line.
    pub waiting_since: Option<f64>,
    /// How many readings the line stands for.
    pub readings: u32,
}

impl LogEntry {
    /// How long the step has been waiting, as of this line.
    pub fn waited(&self) -> Option<f64> {
        self.waiting_since.map(|s| (self.line.at - s).max(0.0))
    }
}

#[derive(Debug, Clone, Default)]
pub struct RunLog {
    entries: VecDeque<LogEntry>,
    /// Lines scrolled back from the newest (0 follows the log).
    pub scroll: usize,
    /// Only the lines of this step (a group: its members' too).
    pub step: Option<String>,
    /// Only the lines that contain this text (case-insensitive).
    pub search: Option<String>,
}

impl RunLog {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &VecDeque<LogEntry> {
        &self.entries
    }

    pub fn last_at(&self) -> Option<f64> {
        self.entries.back().map(|e| e.line.at)
    }

    /// Adds a line, or rewrites the step's waiting line when nothing else has been said
    /// about that step since.
    pub fn push(&mut self, line: LogLine) {
        if let (Some(step), true) = (line.step.as_deref(), line.text.starts_with(WAITING)) {
            let last_of_step = self
                .entries
                .iter()
                .rposition(|e| e.line.step.as_deref() == Some(step));
            // The step's waiting line moves to the end with its new reading: it is the
            // newest thing said, and a wait in progress stays in view.
            let (since, readings) = match last_of_step.map(|i| &self.entries[i]) {
                Some(e) if e.waiting_since.is_some() => {
                    let kept = (e.waiting_since, e.readings + 1);
                    if let Some(i) = last_of_step {
                        self.entries.remove(i);
                    }
                    kept
                }
                _ => (Some(line.at), 1),
            };
            return self.append(LogEntry {
                line,
                waiting_since: since,
                readings,
            });
        }
        self.append(LogEntry {
            line,
            waiting_since: None,
            readings: 1,
        });
    }

    fn append(&mut self, entry: LogEntry) {
        if self.entries.len() == LOG_LINES {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// Whether an entry passes the step filter and the search. `members` are the steps of
    /// the filtered group.
    pub fn shows(&self, e: &LogEntry, members: &[&str], query: Option<&str>) -> bool {
        if let Some(step) = &self.step {
            let of = e.line.step.as_deref();
            if of != Some(step.as_str()) && !of.is_some_and(|s| members.contains(&s)) {
                return false;
            }
        }
        match query {
            Some(q) if !q.is_empty() => e
                .line
                .to_string()
                .to_lowercase()
                .contains(&q.to_lowercase()),
            _ => true,
        }
    }

    /// The entries shown, oldest first: filtered, then `room` lines ending `scroll` lines
    /// above the newest. Returns them with the number that pass the filter. `typing` is a
    /// search being typed, which applies as it is typed.
    pub fn visible<'a>(
        &'a self,
        members: &[&str],
        typing: Option<&str>,
        room: usize,
    ) -> (Vec<&'a LogEntry>, usize) {
        let query = typing
            .or(self.search.as_deref())
            .map(str::to_lowercase)
            .filter(|q| !q.is_empty());
        if self.step.is_none() && query.is_none() {
            let end = self.entries.len().saturating_sub(self.scroll);
            let start = end.saturating_sub(room);
            return (self.entries.range(start..end).collect(), self.entries.len());
        }
        let passing: Vec<&LogEntry> = self
            .entries
            .iter()
            .filter(|e| self.shows(e, members, query.as_deref()))
            .collect();
        let total = passing.len();
        let end = total.saturating_sub(self.scroll);
        let start = end.saturating_sub(room);
        (passing[start..end].to_vec(), total)
    }

    /// The waiting line of each step in `waiting` (steps still waiting for their target),
    /// when its last line is one: a wait in progress, shown apart so that it stays in view.
    pub fn live<'a>(&'a self, waiting: &[&str]) -> Vec<&'a LogEntry> {
        waiting
            .iter()
            .filter_map(|step| {
                self.entries
                    .iter()
                    .rev()
                    .find(|e| e.line.step.as_deref() == Some(*step))
                    .filter(|e| e.waiting_since.is_some())
            })
            .collect()
    }

    /// Clears the step filter and the search; whether there was one.
    pub fn clear_filters(&mut self) -> bool {
        let had = self.step.is_some() || self.search.is_some();
        self.step = None;
        self.search = None;
        self.scroll = 0;
        had
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::Level;

    fn line(at: f64, step: &str, text: &str) -> LogLine {
        LogLine {
            utc: chrono::Utc::now(),
            at,
            level: Level::Info,
            step: Some(step.into()),
            text: text.into(),
        }
    }

    #[test]
    fn a_waiting_step_rewrites_its_line_in_place() {
        let mut log = RunLog::default();
        log.push(line(0.0, "services", "calling ecs:UpdateService"));
        log.push(line(1.0, "services", "waiting: 1/12 running"));
        log.push(line(1.5, "asgs", "waiting: 0/3 InService"));
        for i in 2..40 {
            log.push(line(
                f64::from(i),
                "services",
                &format!("waiting: {i}/12 running"),
            ));
            log.push(line(f64::from(i), "asgs", "waiting: 1/3 InService"));
        }
        assert_eq!(log.len(), 3, "{:?}", log.entries);
        // The latest reading is the newest line: the waits are at the end, in the order read.
        assert_eq!(log.entries[2].line.step.as_deref(), Some("asgs"));
        let services = &log.entries[1];
        assert_eq!(services.line.text, "waiting: 39/12 running");
        assert_eq!(services.waited(), Some(38.0));
        assert_eq!(services.readings, 39);
        // Once the step says something else, a new wait starts a new line.
        log.push(line(41.0, "services", "verified: 12/12 running"));
        log.push(line(42.0, "services", "waiting: deployment"));
        assert_eq!(log.len(), 5);
        assert_eq!(log.entries[4].waited(), Some(0.0));
    }

    #[test]
    fn filter_by_step_and_search() {
        let mut log = RunLog::default();
        log.push(line(0.0, "database", "calling rds:PromoteReadReplica"));
        log.push(line(0.0, "services", "calling ecs:UpdateService web"));
        log.push(line(1.0, "dns", "calling route53:ChangeResourceRecordSets"));
        log.step = Some("scale-up".into());
        let (shown, total) = log.visible(&["database", "services"], None, 10);
        assert_eq!(total, 2);
        assert_eq!(shown[0].line.step.as_deref(), Some("database"));
        log.step = None;
        log.search = Some("ROUTE53".into());
        let (shown, total) = log.visible(&[], None, 10);
        assert_eq!((total, shown[0].line.step.as_deref()), (1, Some("dns")));
        // What is being typed applies before Enter.
        let (_, total) = log.visible(&[], Some("calling"), 10);
        assert_eq!(total, 3);
        assert!(log.clear_filters());
        assert_eq!(log.visible(&[], None, 2).0.len(), 2);
    }

    #[test]
    fn the_log_keeps_its_newest_lines() {
        let mut log = RunLog::default();
        for i in 0..(LOG_LINES + 10) {
            log.push(line(i as f64, "s", &format!("line {i}")));
        }
        assert_eq!(log.len(), LOG_LINES);
        assert_eq!(log.entries[0].line.text, "line 10");
    }
}
