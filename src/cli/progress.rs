//! The progress bar of a batch run: on stderr, only when stderr is a
//! terminal; silent otherwise, so that pipelines and logs see no more than
//! the records and the diagnostics.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar with a known input size: how far through the bytes, and the ETA.
const SIZED: &str = "{wide_bar} {percent:>3}% {msg} · ETA {eta}";

/// The bar of standard input, whose size is unknown.
const UNSIZED: &str = "{spinner} {msg}";

/// How far a batch run is, and since when it runs.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Whether stderr is a terminal and the run is not `--quiet`.
    terminal: bool,
    started: Instant,
    cases: u64,
}

impl Progress {
    /// A bar over `total` bytes of input (a spinner when it is unknown),
    /// shown when stderr is a terminal, unless `quiet` or the run's output
    /// goes to standard output (`to_stdout`) and that is a terminal too,
    /// where the lines would tear the bar.
    pub fn start(total: Option<u64>, quiet: bool, to_stdout: bool) -> Progress {
        let terminal = !quiet && std::io::stderr().is_terminal();
        let shared = to_stdout && std::io::stdout().is_terminal();
        Progress {
            bar: (terminal && !shared).then(|| bar(total)),
            terminal,
            started: Instant::now(),
            cases: 0,
        }
    }

    /// Whether stderr is a terminal and the run is not `--quiet`: then a
    /// summary line ends the run.
    pub fn on_terminal(&self) -> bool {
        self.terminal
    }

    /// `cases` more cases done, read from `bytes` more bytes.
    pub fn advance(&mut self, cases: u64, bytes: u64) {
        self.cases += cases;
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(rate(self.cases, self.started.elapsed()));
        }
    }

    /// Runs `print` with the bar hidden, so that its lines are not torn.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Removes the bar; the time the run took.
    pub fn finish(self) -> Duration {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.started.elapsed()
    }
}

fn bar(total: Option<u64>) -> ProgressBar {
    let (bar, template) = match total {
        Some(bytes) => (ProgressBar::new(bytes), SIZED),
        None => (ProgressBar::new_spinner(), UNSIZED),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_message(rate(0, Duration::ZERO));
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `12000 cases, 8400 cases/s`.
fn rate(cases: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds <= 0.0 {
        return format!("{cases} cases");
    }
    format!("{cases} cases, {:.0} cases/s", cases as f64 / seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_cases_per_second() {
        assert_eq!(rate(0, Duration::ZERO), "0 cases");
        assert_eq!(rate(300, Duration::from_secs(2)), "300 cases, 150 cases/s");
    }
}
