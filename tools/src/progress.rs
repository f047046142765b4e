//! Progress on stderr: an indicatif bar redrawn in place on a terminal, a plain line every
//! few seconds otherwise (logs, CI), or nothing.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

/// `--progress`: how progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, lines otherwise.
    Auto,
    /// A bar redrawn in place.
    Bar,
    /// A plain line every 5 seconds.
    Lines,
    /// Nothing but the summary.
    None,
}

impl ProgressArg {
    fn resolved(self) -> ProgressArg {
        match self {
            ProgressArg::Auto if std::io::stderr().is_terminal() => ProgressArg::Bar,
            ProgressArg::Auto => ProgressArg::Lines,
            other => other,
        }
    }
}

/// One task's progress: `done` of `total` units.
pub struct Progress {
    style: ProgressArg,
    label: String,
    unit: &'static str,
    total: u64,
    done: u64,
    message: String,
    bar: Option<ProgressBar>,
    started: Instant,
    last: Instant,
}

/// How often the plain lines come.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// Starts a task called `label` of `total` `unit`s (bytes are shown as MB).
    pub fn new(style: ProgressArg, label: &str, total: u64, unit: &'static str) -> Progress {
        let style = style.resolved();
        let bar = (style == ProgressArg::Bar).then(|| {
            let bar = ProgressBar::new(total);
            let template = if unit == "bytes" {
                "{prefix} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} · {elapsed} {msg}"
            } else {
                "{prefix} [{bar:30}] {percent:>3}% {pos}/{len} {unit} · {elapsed} {msg}"
            };
            let template = template.replace("{unit}", unit);
            if let Ok(s) = ProgressStyle::with_template(&template) {
                bar.set_style(s.progress_chars("#>-"));
            }
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress {
            style,
            label: label.to_string(),
            unit,
            total,
            done: 0,
            message: String::new(),
            bar,
            started: now,
            last: now,
        }
    }

    /// Moves to `done` units, with a short status (`12 rejected`).
    pub fn set(&mut self, done: u64, message: impl Into<String>) {
        self.done = done;
        self.message = message.into();
        match self.style {
            ProgressArg::Bar => {
                if let Some(b) = &self.bar {
                    b.set_position(done);
                    b.set_message(self.message.clone());
                }
            }
            ProgressArg::Lines if self.last.elapsed() >= LINE_EVERY => {
                self.last = Instant::now();
                eprintln!("{}", self.line());
            }
            _ => {}
        }
    }

    fn line(&self) -> String {
        let percent = if self.total == 0 {
            100.0
        } else {
            self.done as f64 * 100.0 / self.total as f64
        };
        let (done, total, unit) = if self.unit == "bytes" {
            (self.done as f64 / 1e6, self.total as f64 / 1e6, "MB")
        } else {
            (self.done as f64, self.total as f64, self.unit)
        };
        let message = if self.message.is_empty() {
            String::new()
        } else {
            format!(" · {}", self.message)
        };
        format!(
            "{}: {percent:5.1}% {done:.1}/{total:.1} {unit}{message} · {:.1} s",
            self.label,
            self.started.elapsed().as_secs_f64()
        )
    }

    /// Ends the task at its total, with a last status.
    pub fn finish(&mut self, message: impl Into<String>) {
        self.done = self.total;
        self.message = message.into();
        match self.style {
            ProgressArg::Bar => {
                if let Some(b) = &self.bar {
                    b.set_position(self.total);
                    b.finish_with_message(self.message.clone());
                }
            }
            ProgressArg::Lines => eprintln!("{}", self.line()),
            _ => {}
        }
    }
}
