//! Console performance figures: frame render time with 200 services per region (and, at
//! 200x60, during a run with a 2,000-line log), keypress to drawn frame while a region's poll
//! hangs and during a run, idle CPU and resident memory.
//! Run with `cargo bench --bench console`.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::App;
use drconsole::backend::Backend as _;
use drconsole::backend::sim::{Fault, SimClock, Simulator, built_in_estate};
use drconsole::config::EcsService;
use drconsole::console::{Input, Loop};
use drconsole::model::{Scope, Side};
use drconsole::poll::{self, PollControl, PollEvent, PollSettings, Reading};
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc;

/// A test terminal that reports when each frame reaches the "screen".
struct Stamped {
    inner: TestBackend,
    flushed: mpsc::UnboundedSender<Instant>,
}

impl Backend for Stamped {
    type Error = core::convert::Infallible;
    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(p)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        let _ = self.flushed.send(Instant::now());
        self.inner.flush()
    }
}

fn big_estate() -> drconsole::config::Estate {
    let mut estate = built_in_estate();
    if let Some(ecs) = estate.ecs.as_mut() {
        let template = ecs.services[0].clone();
        ecs.services = (0..200)
            .map(|i| EcsService {
                name: format!("service-{i:03}"),
                ..template.clone()
            })
            .collect();
    }
    estate
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn render_200_services() {
    let estate = big_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let mut app = App::new(estate, "SIMULATION".into(), true, Instant::now());
    for side in Side::BOTH {
        let r = sim.read_region(side).await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Region(side),
            at: Instant::now(),
            result: Ok(Reading::Region(Box::new(r))),
        });
    }
    let g = sim.read_global().await.expect("read");
    app.apply_poll(PollEvent::Finished {
        scope: Scope::Global,
        at: Instant::now(),
        result: Ok(Reading::Global(g)),
    });
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    let mut times = Vec::new();
    for i in 0..500 {
        app.scroll[2] = i % 200;
        let t = Instant::now();
        terminal
            .draw(|f| drconsole::ui::draw(f, &app, &Theme::dark()))
            .expect("draw");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "render, 200 services per region, 160x48: median {:.3} ms, p99 {:.3} ms, max {:.3} ms (target <= 2 ms)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

/// A run view as it stands after a long run: 12 steps, a question listing one call per
/// service (200), and a full live log (2,000 lines, waiting steps among them).
fn long_run(services: usize) -> drconsole::app::RunView {
    use drconsole::runbook::{
        ConfirmPrompt, Level, LogLine, PlannedCall, RunEvent, RunMode, StepStatus, StepView,
    };
    let mut run = drconsole::app::RunView::new(1.0);
    let steps: Vec<StepView> = (0..12)
        .map(|i| StepView {
            id: format!("step-{i}"),
            title: format!("step number {i} of the drill"),
            parent: None,
            optional: false,
            status: if i < 6 {
                StepStatus::Done {
                    note: "done".into(),
                }
            } else if i == 6 {
                StepStatus::Verifying
            } else {
                StepStatus::Pending
            },
        })
        .collect();
    let at = Instant::now();
    run.apply_at(
        RunEvent::Started {
            run_id: "bench".into(),
            runbook: "failover".into(),
            mode: RunMode::Live,
            resumed: false,
            drill: false,
            journal: "bench.json".into(),
            steps,
        },
        at,
    );
    for i in 0..2000 {
        let step = format!("step-{}", i % 7);
        let text = if i % 3 == 0 {
            format!("waiting: running/desired: {} of {services}", i % services)
        } else {
            format!(
                "calling ecs:UpdateService orders/service-{:03} desiredCount=4",
                i % services
            )
        };
        run.apply_at(
            RunEvent::Log(LogLine {
                utc: chrono::Utc::now(),
                at: i as f64,
                level: Level::Info,
                step: Some(step),
                text,
            }),
            at,
        );
    }
    // Lines of other steps between, so that the log holds its 2,000 lines.
    for i in 0..2000 {
        run.apply_at(
            RunEvent::Log(LogLine {
                utc: chrono::Utc::now(),
                at: 2000.0 + i as f64,
                level: Level::Info,
                step: Some("step-6".into()),
                text: format!("ok: service-{:03}: desiredCount 1 -> 4", i % services),
            }),
            at,
        );
    }
    let calls = (0..services)
        .map(|i| PlannedCall {
            step: "step-7".into(),
            call: "ecs:UpdateService".into(),
            describe: format!(
                "ecs:UpdateService orders-dr/service-{i:03} (standby) desiredCount=4"
            ),
            irreversible: false,
        })
        .collect();
    run.apply_at(
        RunEvent::AwaitingConfirmation(ConfirmPrompt {
            step: "step-7".into(),
            title: "scale standby ECS services to production count".into(),
            calls,
            changes: vec![format!("running/desired: {services} services 1/1 → 4/4")],
            warnings: vec!["one warning".into()],
            type_to_confirm: None,
            instruction: None,
            discards: Vec::new(),
            losses: Vec::new(),
            rerun_unknown: Vec::new(),
        }),
        at,
    );
    run
}

/// Frame time at 200x60 during a run: the run view, and the dashboard toggled in.
async fn render_run_200x60() {
    let estate = big_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let mut app = App::new(estate, "SIMULATION".into(), true, Instant::now());
    for side in Side::BOTH {
        let r = sim.read_region(side).await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Region(side),
            at: Instant::now(),
            result: Ok(Reading::Region(Box::new(r))),
        });
    }
    let g = sim.read_global().await.expect("read");
    app.apply_poll(PollEvent::Finished {
        scope: Scope::Global,
        at: Instant::now(),
        result: Ok(Reading::Global(g)),
    });
    app.run = Some(long_run(200));
    assert_eq!(app.run.as_ref().map(|r| r.log.len()), Some(2000));
    for (name, dashboard) in [("run view", false), ("dashboard during the run", true)] {
        app.dashboard_in_run = dashboard;
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        let mut times = Vec::new();
        for i in 0..500 {
            app.scroll[2] = i % 200;
            if let Some(run) = app.run.as_mut() {
                run.prompt_scroll = i % 150;
            }
            let t = Instant::now();
            terminal
                .draw(|f| drconsole::ui::draw(f, &app, &Theme::dark()))
                .expect("draw");
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "render, 200x60, 200 services per region, 2,000-line log, {name}: median {:.3} ms, p99 {:.3} ms, max {:.3} ms (target <= 2 ms)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
    }
}

/// The real event loop on a test terminal, polling `sim` every 5 s: the channel to type into,
/// the frames' timestamps, and the loop's task.
struct Running {
    input: mpsc::UnboundedSender<Input>,
    flushed: mpsc::UnboundedReceiver<Instant>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn spawn_console(sim: std::sync::Arc<Simulator>) -> Running {
    spawn_console_with(sim, None, (160, 48))
}

fn spawn_console_with(
    sim: std::sync::Arc<Simulator>,
    runner: Option<drconsole::runbook::RunContext>,
    (w, h): (u16, u16),
) -> Running {
    let (flushed_tx, flushed) = mpsc::unbounded_channel();
    let mut terminal = Terminal::new(Stamped {
        inner: TestBackend::new(w, h),
        flushed: flushed_tx,
    })
    .expect("terminal");
    let (poll_tx, poll_rx) = mpsc::unbounded_channel();
    let (input, input_rx) = mpsc::unbounded_channel();
    let control = PollControl::default();
    poll::spawn_all(
        sim.clone(),
        PollSettings::new(Duration::from_secs(5), Duration::from_secs(5)),
        control.clone(),
        poll_tx,
    );
    let mut app = App::new(built_in_estate(), "SIMULATION".into(), true, Instant::now());
    let task = tokio::spawn(async move {
        Loop {
            input: input_rx,
            polls: poll_rx,
            control,
            simulator: Some(sim),
            runner,
            run: None,
            theme: Theme::dark(),
            evaluations: None,
            chores: Default::default(),
        }
        .run(&mut terminal, &mut app)
        .await
    });
    Running {
        input,
        flushed,
        task,
    }
}

async fn keypress_while_primary_hangs() {
    let sim = Simulator::new(built_in_estate(), 7, SimClock::scaled(1.0));
    sim.toggle(Fault::PrimaryDark);
    let Running {
        input: input_tx,
        flushed: mut flushed_rx,
        task: event_loop,
    } = spawn_console(sim);
    tokio::time::sleep(Duration::from_millis(300)).await;
    while flushed_rx.try_recv().is_ok() {}
    let mut times = Vec::new();
    for i in 0..100 {
        let code = if i % 2 == 0 {
            KeyCode::Tab
        } else {
            KeyCode::Char('j')
        };
        let sent = Instant::now();
        input_tx
            .send(Input::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .expect("send");
        // Wait for the frame that shows it (the primary's poll is hanging meanwhile).
        let drawn = tokio::time::timeout(Duration::from_secs(2), flushed_rx.recv())
            .await
            .expect("a frame within 2 s")
            .expect("loop running");
        times.push(drawn.saturating_duration_since(sent));
        tokio::time::sleep(Duration::from_millis(20)).await;
        while flushed_rx.try_recv().is_ok() {}
    }
    input_tx
        .send(Input::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        )))
        .expect("quit");
    let _ = event_loop.await;
    times.sort();
    println!(
        "keypress to drawn frame, primary poll hanging: median {:.3} ms, p99 {:.3} ms, max {:.3} ms (target <= 16 ms)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

/// Keypress to drawn frame at 200x60 while a failover runs on the simulator and waits at its
/// first question (scrolling it, switching panes, filtering the log).
async fn keypress_during_a_run() {
    let estate = built_in_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(1.0));
    let dir = std::env::temp_dir().join(format!("drconsole-bench-{}", std::process::id()));
    let mut ctx = drconsole::runbook::RunContext::new(
        std::sync::Arc::new(estate),
        sim.clone(),
        drconsole::runbook::RunMode::Live,
    );
    ctx.audit_path = dir.join("audit.jsonl");
    ctx.state_dir = dir.clone();
    let Running {
        input: input_tx,
        flushed: mut flushed_rx,
        task: event_loop,
    } = spawn_console_with(sim, Some(ctx), (200, 60));
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    tokio::time::sleep(Duration::from_millis(300)).await;
    for code in [KeyCode::Char('x'), KeyCode::Enter] {
        input_tx.send(key(code)).expect("send");
    }
    // The preflight reads, then the first question.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    while flushed_rx.try_recv().is_ok() {}
    let keys = [
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::Up,
        KeyCode::Tab,
        KeyCode::Char('f'),
        KeyCode::Char('v'),
    ];
    let mut times = Vec::new();
    for i in 0..120 {
        let sent = Instant::now();
        input_tx.send(key(keys[i % keys.len()])).expect("send");
        let drawn = tokio::time::timeout(Duration::from_secs(2), flushed_rx.recv())
            .await
            .expect("a frame within 2 s")
            .expect("loop running");
        times.push(drawn.saturating_duration_since(sent));
        tokio::time::sleep(Duration::from_millis(20)).await;
        while flushed_rx.try_recv().is_ok() {}
    }
    // Leave the run unfinished: two q quit without aborting it.
    for _ in 0..2 {
        let _ = input_tx.send(key(KeyCode::Char('q')));
    }
    let _ = event_loop.await;
    let _ = std::fs::remove_dir_all(&dir);
    times.sort();
    println!(
        "keypress to drawn frame, 200x60, during a run: median {:.3} ms, p99 {:.3} ms, max {:.3} ms (target <= 16 ms)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    ticks / 100.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

async fn idle(seconds: u64) {
    let sim = Simulator::new(built_in_estate(), 7, SimClock::scaled(1.0));
    let Running {
        input: input_tx,
        task: event_loop,
        ..
    } = spawn_console(sim);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let cpu = cpu_seconds() - cpu0;
    let wall = t0.elapsed().as_secs_f64();
    println!(
        "idle, 5 s poll interval, {seconds} s: {:.2} % of one core (target <= 1 %)",
        100.0 * cpu / wall
    );
    println!("resident memory: {:.1} MB (target <= 50 MB)", rss_mb());
    let _ = input_tx.send(Input::Closed);
    let _ = event_loop.await;
}

fn main() {
    let seconds = std::env::var("IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        render_200_services().await;
        render_run_200x60().await;
        keypress_while_primary_hangs().await;
        keypress_during_a_run().await;
        idle(seconds).await;
    });
}
