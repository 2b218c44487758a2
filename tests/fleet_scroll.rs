//! The overview scrolls: 60 simulated estates at 80×24, where 16 rows fit. ↑↓, PgUp/PgDn,
//! Home/End move the selection and the rows follow it; the table says how many rows are
//! above and below; `/` finds a row wherever it is.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/fleet.rs"]
mod fleet;

use crossterm::event::KeyCode;
use fleet::{Fleet, many};

/// The estate names on screen, top to bottom.
fn names(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.strip_prefix('│'))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("app-"))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_estates_at_80x24_scroll_to_the_last_row_by_end_and_by_the_filter() {
    let mut f = Fleet::new(many(60));
    f.poll().await;
    let first = f.screen(80, 24);
    eprintln!("{first}");
    let shown = names(&first);
    // 24 rows: 2 of header, 1 of footer, 2 of border, 1 of column heads: 18 estates.
    assert_eq!(shown.len(), 18, "{first}");
    assert_eq!(shown[0], "app-00");
    assert!(first.contains("▼ 42 more"), "{first}");
    assert!(!first.contains("▲"), "{first}");

    // End: the last row, selected and on screen, with the count above it.
    f.key(KeyCode::End);
    let end = f.screen(80, 24);
    eprintln!("{end}");
    let shown = names(&end);
    assert_eq!(shown.last().map(String::as_str), Some("app-59"), "{end}");
    assert_eq!(f.state.rows()[f.state.selected].name, "app-59");
    assert!(end.contains("▲ 42 more"), "{end}");
    assert!(!end.contains("▼"), "{end}");

    // Up inside the window does not move it; Home goes back to the top.
    f.key(KeyCode::Up);
    assert_eq!(names(&f.screen(80, 24)), shown);
    f.key(KeyCode::Home);
    assert_eq!(names(&f.screen(80, 24))[0], "app-00");
    assert_eq!(f.state.selected, 0);

    // PgDn moves by the rows a screen shows; j and k by one.
    f.key(KeyCode::PageDown);
    assert_eq!(f.state.selected, 18);
    let paged = f.screen(80, 24);
    assert!(names(&paged).contains(&"app-18".to_string()), "{paged}");
    assert!(
        paged.contains("▲ 1 more") && paged.contains("▼ 41 more"),
        "{paged}"
    );
    f.key(KeyCode::Char('j'));
    f.key(KeyCode::Char('j'));
    f.key(KeyCode::Char('k'));
    assert_eq!(f.state.selected, 19);
    f.key(KeyCode::PageUp);
    assert_eq!(f.state.selected, 1);
    f.key(KeyCode::PageUp);
    assert_eq!(f.state.selected, 0);

    // `/`: the last estate, typed, is the only row; Enter opens it.
    f.key(KeyCode::End);
    f.screen(80, 24);
    f.key(KeyCode::Char('/'));
    f.typed("app-59");
    f.key(KeyCode::Enter);
    let found = f.screen(80, 24);
    assert_eq!(names(&found), ["app-59"], "{found}");
    assert!(!found.contains("▲") && !found.contains("▼"), "{found}");
    f.key(KeyCode::Enter);
    assert_eq!(f.state.open, Some(59));
    f.key(KeyCode::Esc);
    assert_eq!(f.state.open, None);
    // Esc on the overview clears the filter: every row again, from the top.
    f.key(KeyCode::Esc);
    assert_eq!(f.state.rows().len(), 60);
    assert_eq!(names(&f.screen(80, 24))[0], "app-00");
}
