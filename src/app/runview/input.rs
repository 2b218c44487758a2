//! What the operator's keys act on in the run view: the text being typed, and the pane the
//! scroll keys move.

/// Text the operator is typing, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typing {
    /// The target region's name, to confirm an irreversible step.
    Region(String),
    /// Why a step is skipped.
    SkipReason(String),
    /// Text to look for in the live log.
    Search(String),
    /// `user@host` of an expired lease's holder, to take the run lock over.
    TakeOver(String),
    /// The id of the step of a followed run to approve.
    Approve(String),
    /// A finding for a finished run's report.
    Finding(String),
}

impl Typing {
    pub fn text(&self) -> &str {
        match self {
            Typing::Region(t)
            | Typing::SkipReason(t)
            | Typing::Search(t)
            | Typing::TakeOver(t)
            | Typing::Approve(t)
            | Typing::Finding(t) => t,
        }
    }
    pub fn text_mut(&mut self) -> &mut String {
        match self {
            Typing::Region(t)
            | Typing::SkipReason(t)
            | Typing::Search(t)
            | Typing::TakeOver(t)
            | Typing::Approve(t)
            | Typing::Finding(t) => t,
        }
    }
}

/// The pane of the run view that the scroll keys move.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunPane {
    Steps,
    /// The question the engine asks (when it asks one).
    #[default]
    Prompt,
    Log,
}

impl RunPane {
    pub fn next(self) -> RunPane {
        match self {
            RunPane::Prompt => RunPane::Log,
            RunPane::Log => RunPane::Steps,
            RunPane::Steps => RunPane::Prompt,
        }
    }
    pub fn prev(self) -> RunPane {
        self.next().next()
    }
}
