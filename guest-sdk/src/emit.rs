//! Findings out of the guest in batches (issue 13): a policy that reports
//! one finding per input item calls [`emit`] instead of pushing onto its
//! verdict, so the verdict never sits whole in guest memory.
//!
//! [`emit`] finishes the finding's fingerprint (as [`crate::fingerprint`]
//! describes) and buffers it; every [`BATCH`] findings the buffer goes to
//! the host (`host.emit`), which checks and keeps them. The verdict's
//! findings are the emitted ones, in order, followed by those the policy
//! returns in `Verdict::findings`. Natively (unit tests) the emitted
//! findings are kept and [`finish`] puts them in front of the returned ones,
//! so a test sees what the host would.

use crate::bindings::gate::policy::types::{Finding, Verdict};
use crate::fingerprint::Prints;
use std::cell::RefCell;

/// Findings per batch handed to the host.
pub const BATCH: usize = 1024;

#[derive(Default)]
struct Sink {
    pending: Vec<Finding>,
    prints: Prints,
    /// Natively: what would have gone to the host.
    #[cfg(not(target_arch = "wasm32"))]
    done: Vec<Finding>,
}

impl Sink {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        #[cfg(target_arch = "wasm32")]
        {
            crate::bindings::gate::policy::host::emit(&self.pending);
            self.pending.clear();
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.done.append(&mut self.pending);
    }
}

thread_local! {
    static SINK: RefCell<Sink> = RefCell::new(Sink::default());
}

/// Adds `finding` to the verdict now, ahead of the findings the policy
/// returns. Its fingerprint is finished at once (filled when empty, made
/// unique among the findings before it).
pub fn emit(finding: Finding) {
    SINK.with_borrow_mut(|sink| {
        let mut f = finding;
        sink.prints.finish(&mut f);
        sink.pending.push(f);
        if sink.pending.len() >= BATCH {
            sink.flush();
        }
    });
}

/// Ends a verdict: the last emitted batch goes to the host and the returned
/// findings' fingerprints are finished after the emitted ones. `export!`
/// calls it; natively it returns the verdict with the emitted findings in
/// front (call it in tests of a function that emits).
pub fn finish(mut v: Verdict) -> Verdict {
    let mut sink = SINK.take();
    sink.flush();
    for f in &mut v.findings {
        sink.prints.finish(f);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut all = std::mem::take(&mut sink.done);
        all.append(&mut v.findings);
        v.findings = all;
    }
    v
}

/// Forgets what was emitted: an evaluation that fails reports none of it.
pub(crate) fn discard() {
    drop(SINK.take());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::gate::policy::types::Severity;

    #[test]
    fn emitted_findings_come_first_and_share_fingerprints_with_the_returned() {
        for i in 0..(BATCH + 5) {
            emit(
                Finding::new("r", Severity::Low, format!("item {i}")).fingerprint(format!("p{i}")),
            );
        }
        let mut v = Verdict::pass("");
        v.findings
            .push(Finding::new("s", Severity::Low, "again").fingerprint("p0"));
        let v = finish(v);
        assert_eq!(v.findings.len(), BATCH + 6);
        assert_eq!(v.findings[0].fingerprint, "p0");
        let last = &v.findings[BATCH + 5];
        assert_eq!(last.rule, "s");
        assert_eq!(last.fingerprint, crate::fingerprint::of(&["p0", "#2"]));
        // The sink starts empty again.
        assert_eq!(finish(Verdict::pass("")).findings.len(), 0);
    }
}
