//! The outage windows `--outage` names: `DURATION@START[:MODE]`, comma-separated, each
//! window `DURATION` long from `START` after the run (or the delivery) begins.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::duration::format_duration;

crate::closed::closed_enum! {
    /// What the proxy does with a connection during an outage window.
    #[derive(Default, Serialize, Deserialize)]
    pub enum OutageMode as "outage mode" {
        /// The connection is refused: accepted and closed at once with a reset (SO_LINGER 0)
        /// before a byte is read; the sender sees a `connect` or `protocol` failure.
        #[default]
        #[serde(rename = "refuse")]
        Refuse => "refuse",
        /// The request is read, then the connection is reset without an answer.
        #[serde(rename = "reset")]
        Reset => "reset",
        /// The request is read and answered `503 Service Unavailable` by the proxy itself.
        #[serde(rename = "503")]
        Unavailable => "503",
    }
}

/// One outage window: from `start` for `length`, half open (an attempt at `start + length`
/// gets through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// From the start of the run (or of the simulated delivery's clock).
    #[serde(rename = "start_ms", with = "crate::outage::millis")]
    pub start: Duration,
    /// How long the outage lasts.
    #[serde(rename = "length_ms", with = "crate::outage::millis")]
    pub length: Duration,
    /// What the target looks like meanwhile.
    pub mode: OutageMode,
}

impl Window {
    /// When the window closes.
    pub fn end(&self) -> Duration {
        self.start.saturating_add(self.length)
    }

    /// Whether `at` falls inside it.
    pub fn contains(&self, at: Duration) -> bool {
        self.start <= at && at < self.end()
    }

    /// The window with every time divided by `factor` (a time scale of at least 1e-9).
    pub fn scaled(&self, factor: f64) -> Window {
        Window {
            start: scale(self.start, factor),
            length: scale(self.length, factor),
            mode: self.mode,
        }
    }
}

/// `duration / factor`, saturating.
pub fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() / factor.max(1e-9)).unwrap_or(Duration::MAX)
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{}:{}",
            format_duration(self.length),
            format_duration(self.start),
            self.mode
        )
    }
}

/// The windows of `--outage`, sorted and apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[must_use]
pub struct OutageSpec {
    /// The windows, in order, none overlapping another.
    pub windows: Vec<Window>,
}

/// A `--outage` value that cannot be read. Messages read after "invalid --outage: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// No window at all.
    #[error("no window given; expected DURATION@START[:MODE], e.g. 30s@10s")]
    Empty,
    /// A window without `@`.
    #[error("`{0}` is not DURATION@START[:MODE], e.g. 30s@10s or 2m@1m:503")]
    Shape(String),
    /// A duration that does not parse.
    #[error("`{0}` is not a duration like 500ms, 30s or 2m")]
    Duration(String),
    /// A zero-length window.
    #[error("window `{0}` lasts no time")]
    ZeroLength(String),
    /// An unknown mode.
    #[error(transparent)]
    Mode(#[from] crate::closed::UnknownName),
    /// A window that starts before the previous one ends.
    #[error("window `{later}` starts before `{earlier}` ends: give windows in order, apart")]
    Overlap {
        /// The earlier window.
        earlier: String,
        /// The window that starts too soon.
        later: String,
    },
}

impl FromStr for OutageSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        let windows = text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(window)
            .collect::<Result<Vec<_>, _>>()?;
        if windows.is_empty() {
            return Err(SpecError::Empty);
        }
        for pair in windows.windows(2) {
            if pair[1].start < pair[0].end() {
                return Err(SpecError::Overlap {
                    earlier: pair[0].to_string(),
                    later: pair[1].to_string(),
                });
            }
        }
        Ok(OutageSpec { windows })
    }
}

/// One `DURATION@START[:MODE]`.
fn window(text: &str) -> Result<Window, SpecError> {
    let (length, rest) = text
        .split_once('@')
        .ok_or_else(|| SpecError::Shape(text.to_owned()))?;
    let (start, mode) = match rest.split_once(':') {
        Some((start, mode)) => (start, mode.parse()?),
        None => (rest, OutageMode::default()),
    };
    let duration = |part: &str| {
        humantime::parse_duration(part.trim()).map_err(|_| SpecError::Duration(part.to_owned()))
    };
    let window = Window {
        start: duration(start)?,
        length: duration(length)?,
        mode,
    };
    if window.length.is_zero() {
        return Err(SpecError::ZeroLength(text.to_owned()));
    }
    Ok(window)
}

impl OutageSpec {
    /// The window `at` falls in, if any.
    pub fn window_at(&self, at: Duration) -> Option<&Window> {
        self.windows.iter().find(|w| w.contains(at))
    }

    /// The first window that opens after `at`, if any.
    pub fn next_after(&self, at: Duration) -> Option<&Window> {
        self.windows.iter().find(|w| w.start > at)
    }

    /// Every window with its times divided by `factor`.
    pub fn scaled(&self, factor: f64) -> OutageSpec {
        OutageSpec {
            windows: self.windows.iter().map(|w| w.scaled(factor)).collect(),
        }
    }

    /// When the last window closes.
    pub fn end(&self) -> Duration {
        self.windows.last().map_or(Duration::ZERO, Window::end)
    }
}

impl fmt::Display for OutageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.windows.iter().map(Window::to_string).collect();
        write!(f, "{}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn windows_read_with_their_modes_and_refuse_by_default() {
        let spec: OutageSpec = "30s@10s, 2m@1m:503,1s@5m:RESET".parse().unwrap();
        assert_eq!(spec.windows.len(), 3);
        assert_eq!(
            spec.windows[0],
            Window {
                start: secs(10),
                length: secs(30),
                mode: OutageMode::Refuse
            }
        );
        assert_eq!(spec.windows[1].mode, OutageMode::Unavailable);
        assert_eq!(spec.windows[2].mode, OutageMode::Reset);
        assert_eq!(
            spec.to_string(),
            "30s@10s:refuse,120s@60s:503,1s@300s:reset"
        );
        assert_eq!(spec.window_at(secs(39)).map(|w| w.start), Some(secs(10)));
        assert_eq!(spec.window_at(secs(40)), None, "half open");
        assert_eq!(spec.next_after(secs(40)).map(|w| w.start), Some(secs(60)));
        assert_eq!(spec.scaled(10.0).windows[0].length, secs(3));
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let error = |text: &str| text.parse::<OutageSpec>().unwrap_err().to_string();
        assert!(error("").contains("no window"));
        assert!(error("30s").contains("DURATION@START"));
        assert!(error("soon@10s").contains("`soon` is not a duration"));
        assert!(error("0s@1s").contains("lasts no time"));
        assert!(error("1s@1s:down").contains("unknown outage mode `down`"));
        assert!(error("30s@10s,5s@20s").contains("starts before"));
        assert!(error("5s@20s,30s@0s").contains("starts before"), "unsorted");
    }
}
