//! The keys while the operator types a region name or a skip reason.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{NONE, key_name};

/// What a key does while the operator types a region name or a skip reason; any other
/// character is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Submit,
    Cancel,
    Erase,
    Quit,
}

pub struct EditBinding {
    /// The modifiers given must be held; others are ignored.
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub edit: Edit,
    /// The word the footer shows next to the key.
    pub hint: &'static str,
}

pub const EDITING: &[EditBinding] = &[
    EditBinding {
        keys: &[(KeyCode::Enter, NONE)],
        edit: Edit::Submit,
        hint: "submit",
    },
    EditBinding {
        keys: &[(KeyCode::Esc, NONE)],
        edit: Edit::Cancel,
        hint: "cancel",
    },
    EditBinding {
        keys: &[(KeyCode::Backspace, NONE)],
        edit: Edit::Erase,
        hint: "erase",
    },
    EditBinding {
        keys: &[(KeyCode::Char('c'), KeyModifiers::CONTROL)],
        edit: Edit::Quit,
        hint: "quit",
    },
];

/// What a key does while typing, if it is not simply typed.
pub fn lookup_edit(key: &KeyEvent) -> Option<Edit> {
    EDITING
        .iter()
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| *code == key.code && key.modifiers.contains(*mods))
        })
        .map(|b| b.edit)
}

/// The key that does `edit` while typing, as hints show it: `Esc`.
pub fn edit_key(edit: Edit) -> String {
    EDITING
        .iter()
        .find(|b| b.edit == edit)
        .and_then(|b| b.keys.first())
        .map(key_name)
        .unwrap_or_default()
}
