//! Durations as every message, log and report writes them.

use std::time::Duration;

/// Formats a duration as the attempt log and every message write it: `12ms`, `2s`,
/// `4.871s` (the form `--timeout` takes).
pub fn format_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        let text = format!("{:.3}", duration.as_secs_f64());
        format!("{}s", text.trim_end_matches('0'))
    }
}
