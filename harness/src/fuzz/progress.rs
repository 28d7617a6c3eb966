//! Progress on stderr while a campaign sends: one line rewritten in place on a terminal,
//! a plain line every few seconds otherwise.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::tally::Tally;
use crate::count::count;

/// A running progress printer.
pub struct Progress {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Progress {
    /// Starts printing the tally's figures.
    pub fn start(tally: Arc<Tally>, started: Instant) -> Progress {
        let (stop, mut stopped) = oneshot::channel();
        let terminal = std::io::stderr().is_terminal();
        let every = if terminal {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(5)
        };
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => {
                        // The last line has the figures the summary prints.
                        if !terminal {
                            let _ = writeln!(std::io::stderr().lock(), "{}", status_line(&tally, started));
                        }
                        break;
                    }
                    () = tokio::time::sleep(every) => {}
                }
                let line = status_line(&tally, started);
                let mut err = std::io::stderr().lock();
                let _ = if terminal {
                    write!(err, "\r{line}\x1b[K")
                } else {
                    writeln!(err, "{line}")
                };
            }
            if terminal {
                let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            }
        });
        Progress { stop, task }
    }

    /// Stops printing and clears the line.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

fn status_line(tally: &Tally, started: Instant) -> String {
    let cases = tally.cases.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "fuzz: {}, {}, {} broken, {:.0} cases/s",
        count(cases, "case"),
        count(tally.sequences.load(Ordering::Relaxed), "sequence"),
        count(tally.failing() as u64, "invariant"),
        cases as f64 / seconds
    )
}
