//! One file's findings as `audit verify` prints them.

use std::fmt::Write as _;

use super::FileReport;

/// One file's findings, for the terminal.
pub fn describe(rep: &FileReport, out: &mut String) {
    let p = rep.path.display();
    if let Some(b) = &rep.broken {
        let _ = writeln!(out, "{p}:{}: {}", b.line, b.reason);
        let upto = b.line.saturating_sub(1);
        let _ = writeln!(
            out,
            "{p}: BROKEN at line {}: the chain holds up to line {upto}",
            b.line
        );
        return;
    }
    if rep.unchained > 0 {
        let _ = writeln!(
            out,
            "{p}: lines 1–{} are unchained (written before the log was chained): they cannot \
             be verified, and are not reported as tampered",
            rep.unchained
        );
    }
    if let Some((seq, prev)) = &rep.continues {
        let _ = writeln!(
            out,
            "{p}: the chain continues from another file (first seq {seq}, prev {prev}); \
             verify the files together to check the link"
        );
    }
    for f in &rep.fragments {
        let _ = writeln!(
            out,
            "{p}:{f}: the fragment of a write interrupted by a crash (recorded by the line after it)"
        );
    }
    if let Some((line, bytes)) = rep.incomplete {
        let _ = writeln!(
            out,
            "{p}:{line}: incomplete last line ({bytes} bytes, no newline): a write interrupted by a crash"
        );
    }
    match (&rep.head, rep.first) {
        (Some(h), Some((first, fseq))) => {
            let _ = writeln!(
                out,
                "{p}: {}: lines {first}–{} chained, seq {fseq}–{}; head seq {} sha256 {}",
                if rep.incomplete.is_some() {
                    "INTACT UP TO THE INCOMPLETE LAST LINE"
                } else {
                    "INTACT"
                },
                rep.lines,
                h.seq,
                h.seq,
                h.sha256
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{p}: UNCHAINED: {} line(s), none chained: nothing to verify",
                rep.lines
            );
        }
    }
}
