//! The latency picture: p50, p95, p99 and max as bars on a logarithmic millisecond axis,
//! with the sender's timeout drawn across them, as inline SVG (no script, no fonts to fetch).

use std::fmt::Write as _;

use crate::results::LatencySummary;

const WIDTH: f64 = 640.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const ROW: f64 = 28.0;
const TOP: f64 = 12.0;

/// The picture, or a sentence when nothing was timed.
pub fn latency_svg(latency: &LatencySummary, timeout_ms: u64) -> String {
    if latency.deliveries == 0 {
        return "<p>No delivery was timed.</p>".to_owned();
    }
    let rows = [
        ("p50", latency.p50_ms),
        ("p95", latency.p95_ms),
        ("p99", latency.p99_ms),
        ("max", latency.max_ms),
    ];
    let timeout = timeout_ms as f64;
    let axis = Axis::new(latency.max_ms.max(timeout) * 1.5);
    let height = TOP + ROW * rows.len() as f64 + 36.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"latency\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\
         <title>Delivery latency percentiles against the {timeout_ms} ms timeout</title>"
    );
    for (i, (label, ms)) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let w = (axis.x(*ms) - LEFT).max(1.0);
        let class = if *ms >= timeout { "bar over" } else { "bar" };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"{class}\" x=\"{LEFT}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{}\">{ms:.1} ms</text>",
            LEFT - 8.0,
            y + 17.0,
            y + 4.0,
            ROW - 8.0,
            LEFT + w + 6.0,
            y + 17.0,
        );
    }
    let bottom = TOP + ROW * rows.len() as f64;
    for tick in axis.ticks() {
        let x = axis.x(tick);
        let _ = write!(
            svg,
            "<line class=\"tick\" x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{bottom}\"/>\
             <text class=\"axis\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            bottom + 14.0,
            tick_label(tick)
        );
    }
    let tx = axis.x(timeout);
    let _ = write!(
        svg,
        "<line class=\"timeout\" x1=\"{tx:.1}\" y1=\"{}\" x2=\"{tx:.1}\" y2=\"{bottom}\"/>\
         <text class=\"timeout-label\" x=\"{tx:.1}\" y=\"{}\" text-anchor=\"end\">timeout {timeout_ms} ms</text></svg>",
        TOP - 4.0,
        bottom + 30.0
    );
    svg
}

/// A log10 axis from 0.1 ms to `top` ms.
struct Axis {
    low: f64,
    high: f64,
}

impl Axis {
    fn new(top: f64) -> Axis {
        Axis {
            low: -1.0,
            high: top.max(1.0).log10(),
        }
    }

    fn x(&self, ms: f64) -> f64 {
        let at = ms.max(0.1).log10().clamp(self.low, self.high);
        LEFT + (at - self.low) / (self.high - self.low) * (WIDTH - LEFT - RIGHT)
    }

    fn ticks(&self) -> impl Iterator<Item = f64> {
        let high = self.high;
        (0..)
            .map(|p| 10f64.powi(p))
            .take_while(move |t| t.log10() <= high)
    }
}

fn tick_label(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeout_line_sits_right_of_fast_bars_and_is_labelled() {
        let latency = LatencySummary {
            deliveries: 10,
            timed_out: 0,
            p50_ms: 2.0,
            p95_ms: 5.0,
            p99_ms: 8.0,
            max_ms: 9.0,
        };
        let svg = latency_svg(&latency, 30_000);
        assert!(svg.contains("timeout 30000 ms"), "{svg}");
        let axis = Axis::new(45_000.0);
        assert!(axis.x(9.0) < axis.x(30_000.0));
        assert!(!svg.contains("bar over"));
    }
}
