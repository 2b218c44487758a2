//! The dashboard's panels, in the order the focus moves through them, and how far each is
//! scrolled.

use super::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Replication,
    Readiness,
    Services,
    Asgs,
    Health,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Replication,
        Panel::Readiness,
        Panel::Services,
        Panel::Asgs,
        Panel::Health,
    ];
    pub fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    pub fn next(self) -> Panel {
        Panel::ALL[(self.index() + 1) % Panel::ALL.len()]
    }
    pub fn prev(self) -> Panel {
        Panel::ALL[(self.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
    }
}

impl App {
    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll[panel.index()]
    }
}
