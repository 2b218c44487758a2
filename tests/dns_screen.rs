//! The Route 53 panel for each DNS mode: an alias record says so; a failover pair shows both
//! records, which one Route 53 answers with, and an inverted check in red until it is undone.

use std::time::{Duration, Instant};

use drconsole::app::App;
use drconsole::backend::sim::{SimClock, Simulator};
use drconsole::backend::{Action, Backend};
use drconsole::config::Estate;
use drconsole::model::{Scope, Side};
use drconsole::poll::{PollEvent, Reading};
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/dns_estates.rs"]
mod dns_estates;
use dns_estates::{ALIAS, CHECK, FAILOVER_ROUTING, estate_with};

/// An app fed with one read of every scope of `sim`.
async fn app_of(estate: Estate, sim: &Simulator) -> App {
    let t0 = Instant::now();
    let mut app = App::new(estate, "SIMULATION".into(), true, t0);
    for side in Side::BOTH {
        let reading = sim.read_region(side).await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Region(side),
            at: t0,
            result: Ok(Reading::Region(Box::new(reading))),
        });
    }
    let global = sim.read_global().await.expect("read");
    app.apply_poll(PollEvent::Finished {
        scope: Scope::Global,
        at: t0,
        result: Ok(Reading::Global(global)),
    });
    app.now = t0 + Duration::from_secs(3);
    app
}

/// The screen's rows, and the foreground colour of the first cell of `needle` if shown.
fn render(app: &App, w: u16, h: u16, needle: &str) -> (String, Option<ratatui::style::Color>) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| drconsole::ui::draw(f, app, &Theme::dark()))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut text = String::new();
    let mut colour = None;
    for y in 0..h {
        let row: Vec<String> = (0..w)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        let line = row.concat();
        if colour.is_none()
            && let Some(byte) = line.find(needle)
        {
            let x = line[..byte].chars().count() as u16;
            colour = buffer[(x, y)].fg.into();
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    (text, colour)
}

#[tokio::test]
async fn an_inverted_check_is_shown_in_red_until_undone() {
    let estate = estate_with(FAILOVER_ROUTING);
    let sim = Simulator::new(estate.clone(), 3, SimClock::manual());
    let app = app_of(estate.clone(), &sim).await;
    let (screen, _) = render(&app, 160, 48, "INVERTED");
    assert!(
        screen.contains("shop.example.com → primary · failover routing"),
        "{screen}"
    );
    assert!(
        screen.contains(" ▶ PRIMARY   lb-us-east-1.sim.example"),
        "{screen}"
    );
    assert!(
        screen.contains("   SECONDARY lb-us-west-2.sim.example"),
        "{screen}"
    );
    assert!(!screen.contains("INVERTED"), "{screen}");
    assert!(screen.contains(" primary check healthy · 4f1c"), "{screen}");

    sim.act(&Action::InvertHealthCheck {
        health_check: CHECK.into(),
        inverted: true,
    })
    .await
    .expect("inverted");
    sim.clock().advance(Duration::from_secs(120));
    let app = app_of(estate.clone(), &sim).await;
    let red = Some(Theme::dark().critical.fg.expect("critical has a colour"));
    let (screen, colour) = render(&app, 160, 48, "CHECK INVERTED");
    assert!(
        screen.contains("CHECK INVERTED · DNS held on standby · 4f1c"),
        "{screen}"
    );
    assert!(
        screen.contains(" ▶ SECONDARY lb-us-west-2.sim.example"),
        "{screen}"
    );
    assert_eq!(colour, red, "the inverted check is red\n{screen}");
    // A small terminal keeps it on the one-line summary, also in red.
    let (small, colour) = render(&app, 80, 24, "INVERTED");
    assert!(small.contains("DNS → standby · INVERTED"), "{small}");
    assert_eq!(colour, red, "{small}");

    sim.act(&Action::InvertHealthCheck {
        health_check: CHECK.into(),
        inverted: false,
    })
    .await
    .expect("un-inverted");
    let app = app_of(estate, &sim).await;
    let (screen, _) = render(&app, 160, 48, "INVERTED");
    assert!(
        !screen.contains("INVERTED"),
        "undone, no longer shown\n{screen}"
    );
}

#[tokio::test]
async fn an_alias_record_says_it_is_one() {
    let estate = estate_with(ALIAS);
    let sim = Simulator::new(estate.clone(), 3, SimClock::manual());
    let app = app_of(estate, &sim).await;
    let (screen, _) = render(&app, 160, 48, "");
    assert!(
        screen.contains("shop.example.com → primary (alias)"),
        "{screen}"
    );
    assert!(screen.contains("◀ DNS"), "{screen}");
}
