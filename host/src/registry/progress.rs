//! Progress bars for blob transfers: drawn on stderr only when it is a
//! terminal (and `TERM` is not `dumb`), so CI logs and pipes stay quiet.

use std::io::{IsTerminal, Read, Write};
use std::time::{Duration, Instant};

/// Bar width in cells.
const WIDTH: usize = 24;
/// Redraw at most this often; a bar is always drawn complete at the end.
const EVERY: Duration = Duration::from_millis(80);

/// Whether progress is shown in this process.
pub fn enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// A status line (e.g. which reference is being resolved), when enabled.
pub fn line(message: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("{}", message());
    }
}

/// One transfer's bar.
pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    enabled: bool,
    drawn: Option<Instant>,
}

impl Progress {
    /// A bar for `total` bytes, shown only when [`enabled`].
    pub fn new(label: impl Into<String>, total: u64) -> Progress {
        Progress {
            label: label.into(),
            total,
            done: 0,
            enabled: enabled(),
            drawn: None,
        }
    }

    pub fn advance(&mut self, n: u64) {
        self.done = self.done.saturating_add(n);
        if self.enabled && self.drawn.is_none_or(|t| t.elapsed() >= EVERY) {
            self.draw("");
        }
    }

    /// Draws the bar in its final state and ends the line.
    pub fn finish(mut self) {
        if self.enabled {
            self.draw("\n");
        }
    }

    fn draw(&mut self, end: &str) {
        self.drawn = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal only loses the bar.
        let _ = write!(
            err,
            "\r\x1b[2K{}{end}",
            render(&self.label, self.done, self.total)
        );
        let _ = err.flush();
    }
}

/// `LABEL [#######>        ]  45%  1.2/2.6 MiB`
pub fn render(label: &str, done: u64, total: u64) -> String {
    let fraction = if total == 0 {
        1.0
    } else {
        (done.min(total) as f64) / (total as f64)
    };
    let filled = ((fraction * WIDTH as f64).floor() as usize).min(WIDTH);
    let mut bar = "#".repeat(filled);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat(WIDTH - filled - 1));
    }
    format!(
        "{label} [{bar}] {:>3}%  {}/{}",
        (fraction * 100.0).floor() as u64,
        size(done),
        size(total)
    )
}

fn size(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB {
        format!("{:.1} MiB", f / (KIB * KIB))
    } else if f >= KIB {
        format!("{:.1} KiB", f / KIB)
    } else {
        format!("{n} B")
    }
}

/// A reader that advances a bar as it is read.
pub struct Counting<'a, R> {
    pub inner: R,
    pub progress: &'a mut Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_bars() {
        assert_eq!(
            render("x", 0, 2048),
            "x [>                       ]   0%  0 B/2.0 KiB"
        );
        assert_eq!(
            render("x", 1024, 2048),
            "x [############>           ]  50%  1.0 KiB/2.0 KiB"
        );
        assert_eq!(
            render("x", 3 << 20, 3 << 20),
            "x [########################] 100%  3.0 MiB/3.0 MiB"
        );
        // Empty blobs are complete at once.
        assert!(render("x", 0, 0).contains("100%"));
    }
}
