//! Tests that the help labels read as written by hand and that editing keys ignore extra modifiers.

use super::*;

/// The help overlay's labels as they were written by hand before they were derived.
#[test]
fn labels_read_as_before() {
    let labels: Vec<String> = BINDINGS.iter().map(Binding::label).collect();
    assert_eq!(
        labels,
        [
            "x",
            "Enter",
            "y",
            "t",
            "s",
            "A",
            "Esc",
            "q / Ctrl-C",
            "?",
            "r",
            "p",
            "Tab",
            "Shift-Tab",
            "↑ / k",
            "↓ / j",
            "PgUp / Ctrl-U",
            "PgDn / Ctrl-D",
            "Home / g",
            "End / G",
            "v",
            "f",
            "/",
            "a",
            "d",
            "n",
            "D",
            "L",
            "T",
            "S",
        ]
    );
    assert_eq!(keys_of(&[Command::Up, Command::Down]), "↑↓");
    assert_eq!(keys_of(FAULTS), "D/L/T/S");
    assert_eq!(key_of(Command::Quit), "q");
    // The drill key is lower case: `D` (a simulated fault) stays apart from it.
    let key = |c| KeyEvent::new(KeyCode::Char(c), NONE);
    assert_eq!(lookup(&key('d'), true, false), Some(Command::ToggleDrill));
    assert_eq!(
        lookup(&key('D'), true, false),
        Some(Command::Fault(Fault::PrimaryDark))
    );
    assert_eq!(
        lookup(&key('d'), false, true),
        None,
        "read-only: no drill key"
    );
    assert_eq!(
        lookup(&key('n'), false, true),
        None,
        "read-only: no finding key"
    );
}

#[test]
fn editing_keys_ignore_extra_modifiers() {
    let key = |code, mods| KeyEvent::new(code, mods);
    let ctrl_shift = KeyModifiers::CONTROL | KeyModifiers::SHIFT;
    assert_eq!(
        lookup_edit(&key(KeyCode::Char('c'), ctrl_shift)),
        Some(Edit::Quit)
    );
    assert_eq!(lookup_edit(&key(KeyCode::Char('c'), NONE)), None);
    assert_eq!(lookup_edit(&key(KeyCode::Esc, SHIFT)), Some(Edit::Cancel));
    assert_eq!(edit_key(Edit::Erase), "Backspace");
}
