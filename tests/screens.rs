//! Whole-screen snapshots of the dashboard in the states an operator must tell apart.
//! Readings come from the simulator on a hand-driven clock, ages from fixed instants.

use std::time::{Duration, Instant};

use drconsole::app::App;
use drconsole::app::keys::Command;
use drconsole::backend::Backend;
use drconsole::backend::sim::{Fault, SimClock, Simulator, built_in_estate};
use drconsole::model::{Lag, Side};
use drconsole::poll::{PollEvent, Reading};

#[path = "common/screen.rs"]
mod screen;
use screen::render;

/// An app fed from a simulator that has run for `polls` cycles of 5 s, the last read at `t0`.
async fn app_from(sim: &Simulator, polls: usize, t0: Instant) -> App {
    let mut app = App::new(built_in_estate(), "SIMULATION".into(), true, t0);
    for _ in 0..polls {
        sim.clock().advance(Duration::from_secs(5));
        for side in Side::BOTH {
            let reading = sim.read_region(side).await.expect("read");
            app.apply_poll(PollEvent::Finished {
                scope: drconsole::model::Scope::Region(side),
                at: t0,
                result: Ok(Reading::Region(Box::new(reading))),
            });
        }
        let global = sim.read_global().await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: drconsole::model::Scope::Global,
            at: t0,
            result: Ok(Reading::Global(global)),
        });
    }
    app.faults = sim.faults();
    app.now = t0 + Duration::from_secs(3);
    app
}

fn sim() -> std::sync::Arc<Simulator> {
    Simulator::new(built_in_estate(), 7, SimClock::manual())
}

#[tokio::test]
async fn healthy() {
    let sim = sim();
    let app = app_from(&sim, 40, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("STANDBY READY"));
    assert!(screen.contains("SIMULATION"));
    insta::assert_snapshot!("healthy", screen);
    for (w, h) in screen::SIZES {
        let screen = render_at(&app, w, h);
        // The lag figure and its verdict, every name whole or cut with "…", every verdict.
        assert!(
            screen.contains("lag") && screen.contains("within budget"),
            "{screen}"
        );
        assert!(screen.contains("STANDBY READY"), "{screen}");
        for name in ["scheduler", "notifier", "orders-batch"] {
            assert!(screen.contains(name), "{w}x{h}: {name} cut\n{screen}");
        }
        insta::assert_snapshot!(format!("healthy_{w}x{h}"), screen);
    }
}

#[tokio::test]
async fn nothing_is_cut_mid_word_in_the_header_at_80_columns() {
    let sim = sim();
    let app = app_from(&sim, 40, Instant::now()).await;
    let screen = render_at(&app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[0].contains("NORMAL"), "{}", lines[0]);
    assert!(
        lines[1].contains("PRIMARY") && lines[1].contains("STANDBY"),
        "{}",
        lines[1]
    );
    for line in &lines[..2] {
        assert!(!line.ends_with('…'), "{line}");
    }
}

#[tokio::test]
async fn lag_over_budget() {
    let sim = sim();
    let mut app = app_from(&sim, 40, Instant::now()).await;
    // Replace the latest lag with one past the 5 m budget.
    if let Some(Ok(db)) = app.standby.data.as_mut().and_then(|r| r.database.as_mut()) {
        db.lag = Lag::Known(431);
    }
    for (i, lag) in [120, 260, 380, 431].into_iter().enumerate() {
        let n = app.lag_history.len();
        app.lag_history[n - 4 + i] = Lag::Known(lag);
    }
    let screen = render(&app);
    assert!(screen.contains("7m11s  OVER RPO BUDGET"));
    assert!(screen.contains("STANDBY DEGRADED"));
    insta::assert_snapshot!("lag_over_budget", screen);
}

#[tokio::test]
async fn replication_stopped() {
    let sim = sim();
    sim.toggle(Fault::ReplicationStopped);
    let app = app_from(&sim, 40, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("REPLICATION STOPPED (ReplicaLag = -1)"));
    assert!(
        !screen.contains("lag     0s"),
        "stopped replication is never drawn as 0"
    );
    insta::assert_snapshot!("replication_stopped", screen);
}

#[tokio::test]
async fn primary_unreachable() {
    let sim = sim();
    let t0 = Instant::now();
    let mut app = app_from(&sim, 40, t0).await;
    app.apply_poll(PollEvent::Finished {
        scope: drconsole::model::Scope::Region(Side::Primary),
        at: t0 + Duration::from_secs(20),
        result: Err(drconsole::backend::BackendError::new(
            drconsole::backend::ErrorKind::Unreachable,
            "primary",
            "poll",
            "",
            "no answer within 5s",
        )),
    });
    app.now = t0 + Duration::from_secs(22);
    let screen = render(&app);
    assert!(screen.contains("UNREACHABLE: poll in primary: no answer within 5s"));
    assert!(screen.contains("data below is 22s ago"));
    insta::assert_snapshot!("primary_unreachable", screen);
    for (w, h) in screen::SIZES {
        let screen = render_at(&app, w, h);
        assert!(screen.contains("UNREACHABLE"), "{screen}");
        insta::assert_snapshot!(format!("primary_unreachable_{w}x{h}"), screen);
    }
}

/// Both regions throttled whole: busy, not unreachable; the last values stay with their age,
/// and at every size each region's state stays on the regions line.
#[tokio::test]
async fn both_regions_throttled() {
    let sim = sim();
    let t0 = Instant::now();
    let mut app = app_from(&sim, 40, t0).await;
    for side in Side::BOTH {
        app.apply_poll(PollEvent::Finished {
            scope: drconsole::model::Scope::Region(side),
            at: t0 + Duration::from_secs(20),
            result: Err(drconsole::backend::BackendError::new(
                drconsole::backend::ErrorKind::Throttled,
                side.as_str(),
                "rds:DescribeDBInstances",
                "",
                "Rate exceeded",
            )),
        });
    }
    app.now = t0 + Duration::from_secs(22);
    for (w, h) in screen::SIZES {
        let screen = render_at(&app, w, h);
        assert!(!screen.contains("UNREACHABLE"), "{w}x{h}\n{screen}");
        let regions = screen.lines().nth(1).expect("regions line");
        assert_eq!(
            regions.matches("◐ THROTTLED").count(),
            2,
            "{w}x{h}: both states on the regions line\n{screen}"
        );
        if h >= 24 {
            assert!(screen.contains("THROTTLED by AWS"), "{w}x{h}\n{screen}");
        }
    }
}

#[tokio::test]
async fn help_overlay_lists_every_binding_and_closes_on_any_key() {
    let sim = sim();
    let mut app = app_from(&sim, 2, Instant::now()).await;
    app.apply_command(Command::Help);
    let screen = render(&app);
    for b in drconsole::app::keys::BINDINGS {
        assert!(screen.contains(b.help), "help lacks {:?}", b.help);
    }
    app.apply_command(Command::Down);
    assert!(!app.show_help);
    assert!(!render(&app).contains("any key closes this help"));
}

#[tokio::test]
async fn two_hundred_services_scroll() {
    let mut estate = built_in_estate();
    let ecs = estate.ecs.as_mut().expect("ecs");
    let template = ecs.services[0].clone();
    ecs.services = (0..200)
        .map(|i| drconsole::config::EcsService {
            name: format!("svc-{i:03}"),
            ..template.clone()
        })
        .collect();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let mut app = app_from(&sim, 1, Instant::now()).await;
    app.estate = estate;
    let top = render(&app);
    assert!(top.contains("svc-000") && top.contains("of 200"));
    app.focus = drconsole::app::Panel::Services;
    app.apply_command(Command::Bottom);
    let bottom = render(&app);
    assert!(bottom.contains("svc-199") && !bottom.contains("svc-000"));
}

/// After failover and re-protect, driven on the simulator directly: the screen reads the roles
/// from the readings (header, readiness of the primary, the replica's lag from the primary).
#[tokio::test]
async fn reprotected_estate_is_read_as_such() {
    use drconsole::backend::{Action, Backend};
    let sim = sim();
    let estate = built_in_estate();
    let dns = estate.dns.clone().expect("dns");
    sim.act(&Action::PromoteReplica {
        side: Side::Standby,
        db: "orders-db-replica".into(),
    })
    .await
    .expect("promote");
    sim.act(&Action::UpsertRecord {
        zone_id: dns.zone_id.clone(),
        record: dns.record.clone(),
        record_type: dns.record_type.clone(),
        ttl: dns.ttl,
        value: dns.value(Side::Standby).to_string(),
    })
    .await
    .expect("dns");
    sim.clock().advance(Duration::from_secs(600));
    let writer = sim
        .read_region(Side::Standby)
        .await
        .expect("read")
        .database
        .expect("db")
        .expect("db");
    for action in [
        Action::RenameDb {
            side: Side::Primary,
            from: "orders-db".into(),
            to: "orders-db-stale-202611211200".into(),
        },
        Action::CreateReplica {
            side: Side::Primary,
            replica: "orders-db".into(),
            source_arn: writer.arn.clone().expect("arn"),
            instance_class: None,
        },
    ] {
        sim.act(&action).await.expect("reprotect");
    }
    let app = app_from(&sim, 240, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("REPROTECTED"), "{screen}");
    assert!(screen.contains("active standby us-west-2"), "{screen}");
    assert!(screen.contains("Failback readiness"), "{screen}");
    assert!(screen.contains("PRIMARY READY"), "{screen}");
    assert!(!screen.contains("no longer a replica"), "{screen}");
    insta::assert_snapshot!("reprotected", screen);
}

// ---- The run view, driven by the real engine on the simulator (tokio's paused clock). ----

use drconsole::app::{MIN_CONFIRM, Question, RunView};
use drconsole::runbook::{RunCommand, RunContext, RunEvent, RunHandle, RunMode};
use screen::{SIZES, cells_at, mask_clock_times, render_at};

/// A failover run on the simulator, its events applied to an app as the console would:
/// each event seen at the instant its estate time says, so the clock reads the same every time.
struct Drive {
    sim: std::sync::Arc<Simulator>,
    handle: RunHandle,
    app: App,
    t0: Instant,
    dir: tempfile::TempDir,
    /// The run's id as the engine gave it.
    real_id: String,
}

impl Drive {
    async fn failover() -> Drive {
        let estate = built_in_estate();
        let clock = SimClock::manual();
        let sim = Simulator::new(estate.clone(), 3, clock.clone());
        // The simulator's clock follows tokio's paused clock.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                clock.advance(Duration::from_secs(1));
            }
        });
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ctx = RunContext::new(
            std::sync::Arc::new(estate.clone()),
            sim.clone(),
            RunMode::Live,
        );
        ctx.audit_path = dir.path().join("audit.jsonl");
        ctx.state_dir = dir.path().to_path_buf();
        ctx.user = "commander".into();
        let handle = drconsole::runbook::start(ctx, "failover").expect("start");
        let t0 = Instant::now();
        let mut app = App::new(estate, "SIMULATION".into(), true, t0);
        app.run = Some(RunView::new(1.0));
        Drive {
            sim,
            handle,
            app,
            t0,
            dir,
            real_id: String::new(),
        }
    }

    /// Hides what changes from run to run (the run's id, the state directory) in what the
    /// engine reports, keeping its length, so that wrapped lines wrap the same every time.
    fn masked(&mut self, event: RunEvent) -> RunEvent {
        let dir = self.dir.path().display().to_string();
        let hide = |text: &str, id: &str| {
            let mut text = text.replace(&dir, &"S".repeat(dir.len()));
            if !id.is_empty() {
                text = text.replace(id, &format!("{:X<1$}", "RUN-ID", id.len()));
            }
            text
        };
        match event {
            RunEvent::Started {
                run_id,
                runbook,
                mode,
                resumed,
                drill,
                journal,
                steps,
            } => {
                self.real_id = run_id.clone();
                RunEvent::Started {
                    run_id: hide(&run_id, &run_id),
                    runbook,
                    mode,
                    resumed,
                    drill,
                    journal,
                    steps,
                }
            }
            RunEvent::Log(mut l) => {
                l.text = hide(&l.text, &self.real_id);
                RunEvent::Log(l)
            }
            RunEvent::Finished(mut summary) => {
                summary.report = summary
                    .report
                    .map(|p| hide(&p.display().to_string(), &self.real_id).into());
                RunEvent::Finished(summary)
            }
            other => other,
        }
    }

    fn apply(&mut self, event: RunEvent) {
        let event = self.masked(event);
        let at = match &event {
            RunEvent::Log(l) => l.at,
            _ => 0.0,
        };
        let seen = self.t0 + Duration::from_secs_f64(at);
        if let Some(run) = self.app.run.as_mut() {
            run.apply_at(event, seen);
        }
    }

    /// Applies events until `until` holds (or the run ends), at most `secs` of paused time.
    async fn until(&mut self, secs: u64, until: impl Fn(&RunView) -> bool) {
        let end = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            if self.app.run.as_ref().is_some_and(&until) {
                return;
            }
            match tokio::time::timeout_at(end, self.handle.events.recv()).await {
                Ok(Some(e)) => self.apply(e),
                _ => return,
            }
        }
    }

    fn send(&self, c: RunCommand) {
        self.handle.commands.send(c).expect("engine listening");
    }

    /// Reads both regions and Route 53 once, as the pollers would, at the run's current time.
    async fn poll(&mut self) {
        let now = self.now();
        for side in Side::BOTH {
            let reading = self.sim.read_region(side).await.expect("read");
            self.app.apply_poll(PollEvent::Finished {
                scope: drconsole::model::Scope::Region(side),
                at: now,
                result: Ok(Reading::Region(Box::new(reading))),
            });
        }
        let global = self.sim.read_global().await.expect("read");
        self.app.apply_poll(PollEvent::Finished {
            scope: drconsole::model::Scope::Global,
            at: now,
            result: Ok(Reading::Global(global)),
        });
        self.app.now = now + Duration::from_millis(400);
    }

    /// The wall instant matching the run's latest estate time.
    fn now(&self) -> Instant {
        let at = self
            .app
            .run
            .as_ref()
            .and_then(|r| r.clock)
            .map_or(0.0, |c| c.at);
        self.t0 + Duration::from_secs_f64(at)
    }

    fn run(&self) -> &RunView {
        self.app.run.as_ref().expect("run")
    }

    /// The screen at `w`×`h` with what changes from run to run masked.
    fn screen(&self, w: u16, h: u16) -> String {
        let run = self.run();
        // Masks keep the width of what they hide, so that the frames stay aligned.
        let id = &run.run_id;
        let mut out =
            render_at(&self.app, w, h).replace(id, &format!("{:X<1$}", "RUN-ID", id.len()));
        // A run id cut short by the width is masked as far as it shows.
        for k in (4..id.len()).rev() {
            out = out.replace(&format!("{}…", &id[..k]), &format!("{:X<1$}…", "RUN", k));
        }
        let dir = self.dir.path().display().to_string();
        mask_clock_times(&out.replace(&dir, &"S".repeat(dir.len())))
    }
}

fn asks_to_confirm(run: &RunView) -> bool {
    matches!(run.question, Some(Question::Confirm(_)))
}

/// The failover at the promotion's question (irreversible, with data loss), once the endpoint
/// written first has been confirmed.
async fn at_the_promotion() -> Drive {
    let mut d = Drive::failover().await;
    d.until(120, asks_to_confirm).await;
    d.send(RunCommand::Confirm { typed_region: None });
    d.until(
        120,
        |r| matches!(&r.question, Some(Question::Confirm(p)) if p.step == "scale-up"),
    )
    .await;
    d.poll().await;
    d
}

#[tokio::test(start_paused = true)]
async fn a_run_awaiting_an_irreversible_confirmation() {
    let d = at_the_promotion().await;
    for (w, h) in SIZES {
        let screen = d.screen(w, h);
        for must in [
            "IRREVERSIBLE",
            "us-west-2 DISCARD",
            "DATA LOSS",
            "⏱",
            "RTO 15m",
        ] {
            assert!(screen.contains(must), "{w}x{h}: no {must:?}\n{screen}");
        }
        // The dashboard is a strip: lag, both regions, DNS.
        assert!(
            screen.contains("within budget") && screen.contains("◀ DNS"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("run_awaiting_irreversible_{w}x{h}"), screen);
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_verifying_updates_one_line_per_waiting_step() {
    let mut d = at_the_promotion().await;
    d.send(RunCommand::Confirm {
        typed_region: Some("us-west-2 DISCARD".into()),
    });
    // Two minutes of verification: the engine logs each new reading of each waiting step.
    d.until(120, |_| false).await;
    d.poll().await;
    let run = d.run();
    let waiting: Vec<_> = run
        .log
        .entries()
        .iter()
        .filter(|e| e.waiting_since.is_some())
        .collect();
    assert!(!waiting.is_empty(), "{:?}", run.log.entries());
    assert!(
        waiting.iter().any(|e| e.readings > 1),
        "some step was read more than once while it waited"
    );
    let mut steps: Vec<_> = waiting.iter().map(|e| e.line.step.clone()).collect();
    let n = steps.len();
    steps.dedup();
    steps.sort();
    steps.dedup();
    assert_eq!(steps.len(), n, "one waiting line per step");
    for (w, h) in SIZES {
        let screen = d.screen(w, h);
        assert!(screen.contains("verifying"), "{screen}");
        insta::assert_snapshot!(format!("run_verifying_{w}x{h}"), screen);
    }
}

#[tokio::test(start_paused = true)]
async fn a_finished_run_shows_its_rto_against_the_objective() {
    let mut d = at_the_promotion().await;
    for _ in 0..20 {
        let Some(Question::Confirm(p)) = d.run().question.clone() else {
            break;
        };
        d.send(RunCommand::Confirm {
            typed_region: p.type_to_confirm.clone(),
        });
        // Until another question, or the end.
        d.until(1800, |r| {
            r.finished()
                || match &r.question {
                    Some(Question::Confirm(q)) => q.step != p.step,
                    Some(_) => true,
                    None => false,
                }
        })
        .await;
    }
    d.until(1800, RunView::finished).await;
    d.poll().await;
    let run = d.run();
    assert!(run.summary.is_some(), "{:?}", run.question);
    for (w, h) in SIZES {
        let screen = d.screen(w, h);
        assert!(screen.contains("COMPLETED"), "{screen}");
        assert!(screen.contains("RTO met:"), "{screen}");
        insta::assert_snapshot!(format!("run_finished_{w}x{h}"), screen);
    }
}

/// The prompt pane's inner rows on a screen: the box whose top border holds `title`.
fn prompt_box(cells: &[Vec<String>], title: &str) -> Option<Vec<String>> {
    let rows: Vec<String> = cells.iter().map(|r| r.concat()).collect();
    let (y0, row) = rows.iter().enumerate().find(|(_, r)| r.contains(title))?;
    let chars: Vec<char> = row.chars().collect();
    let x0 = chars.iter().position(|c| *c == '┏')?;
    let x1 = x0 + chars[x0..].iter().position(|c| *c == '┓')?;
    let mut inner = Vec::new();
    for r in &rows[y0 + 1..] {
        let c: Vec<char> = r.chars().collect();
        if c[x0] == '┗' {
            return Some(inner);
        }
        inner.push(c[x0 + 1..x1].iter().collect::<String>());
    }
    None
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(start_paused = true)]
async fn no_prompt_line_is_lost_at_any_size_from_the_minimum_up() {
    let mut d = at_the_promotion().await;
    let Some(Question::Confirm(prompt)) = d.run().question.clone() else {
        panic!("no question");
    };
    let mut expected: Vec<String> = vec![
        format!("{}: {}", prompt.step, prompt.title),
        "IRREVERSIBLE".into(),
        prompt.type_to_confirm.clone().expect("a phrase to type"),
    ];
    expected.extend(prompt.calls.iter().map(|c| c.describe.clone()));
    expected.extend(prompt.changes.iter().cloned());
    expected.extend(prompt.discards.iter().cloned());
    let mut sizes: Vec<(u16, u16)> = Vec::new();
    for w in MIN_CONFIRM.0..=200 {
        for h in [MIN_CONFIRM.1, 24, 37, 60] {
            sizes.push((w, h));
        }
    }
    for h in MIN_CONFIRM.1..=60 {
        for w in [MIN_CONFIRM.0, 80, 119, 120, 200] {
            sizes.push((w, h));
        }
    }
    for (w, h) in sizes {
        d.app.screen = Some((w, h));
        let mut windows = Vec::new();
        for scroll in 0..200 {
            d.app.run.as_mut().expect("run").prompt_scroll = scroll;
            let cells = cells_at(&d.app, w, h);
            let rows = prompt_box(&cells, "CONFIRM")
                .unwrap_or_else(|| panic!("{w}x{h}: no prompt\n{}", render_at(&d.app, w, h)));
            let last = windows.last() == Some(&rows);
            if last {
                break;
            }
            windows.push(rows);
        }
        // The pinned rows are those every window starts with; the body scrolls one row a step.
        let first = &windows[0];
        let end = windows.last().expect("a window");
        let pinned = first.iter().zip(end).take_while(|(a, b)| a == b).count();
        let pinned = if windows.len() == 1 {
            first.len()
        } else {
            pinned
        };
        let mut text: Vec<String> = first.clone();
        for w in &windows[1..] {
            text.push(w.last().expect("row").clone());
        }
        let all = words(&text.join(" "));
        for e in &expected {
            assert!(
                all.contains(&words(e)),
                "{w}x{h}: {e:?} not shown (pinned {pinned}, {} windows)\n{}",
                windows.len(),
                text.join("\n")
            );
        }
        assert!(
            pinned >= 2,
            "{w}x{h}: the step and how to confirm stay in view"
        );
        assert!(
            words(&first[..pinned].join(" ")).contains("IRREVERSIBLE"),
            "{w}x{h}: {first:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn below_the_minimum_the_console_refuses_to_confirm() {
    use drconsole::app::keys::Command;
    let mut d = at_the_promotion().await;
    for (w, h) in [(MIN_CONFIRM.0 - 1, 40), (120, MIN_CONFIRM.1 - 1)] {
        d.app.screen = Some((w, h));
        let screen = render_at(&d.app, w, h);
        assert!(screen.contains("TERMINAL TOO SMALL TO CONFIRM"), "{screen}");
        d.app.apply_command(Command::Confirm);
        assert!(d.app.typing.is_none(), "y starts no confirmation");
        let notice = d
            .app
            .notice
            .as_ref()
            .map(|n| n.0.clone())
            .unwrap_or_default();
        assert!(notice.contains("terminal too small to confirm"), "{notice}");
    }
    d.app.screen = Some(MIN_CONFIRM);
    d.app.apply_command(Command::Confirm);
    assert!(
        d.app.typing.is_some(),
        "at the minimum, y asks for the region"
    );
}
