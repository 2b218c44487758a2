//! Tests of the batch: the order of run codes, and its lines written whole.

use tokio::sync::mpsc;

use super::prefixed::Prefixed;
use super::*;

#[test]
fn a_stopped_estate_is_worse_than_a_completed_one_and_a_refusal_worse_still() {
    assert_eq!(worst_run_code([0, 0]), exit::RUN_DONE);
    assert_eq!(worst_run_code([0, 1, 0]), exit::RUN_STOPPED);
    assert_eq!(worst_run_code([1, 3, 2]), exit::RUN_REFUSED);
    assert_eq!(worst_run_code([0, 78]), exit::CONFIG);
}

#[test]
fn lines_are_written_whole_and_prefixed() {
    let sink: Arc<Mutex<Vec<u8>>> = Arc::default();
    struct To(Arc<Mutex<Vec<u8>>>);
    impl Write for To {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out: SharedOut = Arc::new(Mutex::new(Box::new(To(sink.clone()))));
    let (tx, mut rx) = mpsc::unbounded_channel();
    {
        let mut w = Prefixed {
            estate: 2,
            name: "billing".into(),
            out,
            progress: Some(tx),
            partial: Vec::new(),
        };
        w.write_all(b"one\ntw").unwrap();
        w.write_all(b"o\nthree").unwrap();
    }
    let text = String::from_utf8(sink.lock().unwrap().clone()).unwrap();
    assert_eq!(text, "[billing] one\n[billing] two\n[billing] three\n");
    let mut lines = Vec::new();
    while let Ok(BatchProgress::Line { estate, line }) = rx.try_recv() {
        assert_eq!(estate, 2);
        lines.push(line);
    }
    assert_eq!(lines, ["one", "two", "three"]);
}
