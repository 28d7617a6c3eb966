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

/// Formats a span of whole seconds as hours, minutes and seconds, as `--dedupe-window`
/// takes it: `5s`, `5m5s`, `75h35m5s` (the retry moments of a schedule that spans days).
pub fn format_span(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs < 60 || duration.subsec_millis() != 0 {
        return format_duration(duration);
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let parts = [(h, "h"), (m, "m"), (s, "s")];
    let kept = parts.iter().filter(|(n, _)| *n > 0);
    kept.map(|(n, unit)| format!("{n}{unit}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_reads_in_hours_minutes_and_seconds_and_parses_back() {
        for (secs, text) in [
            (5, "5s"),
            (305, "5m5s"),
            (3600, "1h"),
            (272_105, "75h35m5s"),
        ] {
            let span = Duration::from_secs(secs);
            assert_eq!(format_span(span), text);
            assert_eq!(crate::cli::parse_duration(text), Ok(span));
        }
    }
}
