//! The outage picture of `load --outage`'s HTML report: real time across, deliveries down,
//! the outage windows as shaded bands, each attempt a tick, green where it reached the
//! target and red where it failed. Inline SVG, no script.

use std::fmt::Write as _;

use crate::outage::OutageReport;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 20.0;
const PLOT: f64 = 240.0;

/// The timeline as one `<svg>`.
pub fn outage_svg(report: &OutageReport) -> String {
    let last_attempt = report
        .timeline
        .iter()
        .map(|a| a.at)
        .max()
        .unwrap_or_default();
    let last_window = report
        .windows
        .iter()
        .map(|w| w.end())
        .max()
        .unwrap_or_default();
    let span = last_attempt.max(last_window).as_secs_f64().max(1e-3) * 1.05;
    let rows = report
        .timeline
        .iter()
        .map(|a| a.delivery)
        .max()
        .unwrap_or(0) as f64
        + 1.0;
    let x = |secs: f64| LEFT + secs / span * (WIDTH - LEFT - RIGHT);
    let y = |delivery: u64| TOP + (delivery as f64 + 0.5) / rows * PLOT;
    let height = TOP + PLOT + 44.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"outage\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\
         <title>Attempts of each delivery against the outage windows, in real time</title>"
    );
    windows(&mut svg, report, &x);
    for attempt in &report.timeline {
        let colour = if attempt.reached {
            "#1e8e3e"
        } else {
            "#d93025"
        };
        let (ax, ay) = (x(attempt.at.as_secs_f64()), y(attempt.delivery));
        let _ = write!(
            svg,
            "<line x1=\"{ax:.1}\" x2=\"{ax:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\"/>",
            ay - 2.0,
            ay + 2.0
        );
    }
    axis(&mut svg, span, &x);
    svg
}

/// The windows as shaded bands, each labelled with its mode.
fn windows(svg: &mut String, report: &OutageReport, x: &impl Fn(f64) -> f64) {
    for window in &report.windows {
        let (from, to) = (x(window.start.as_secs_f64()), x(window.end().as_secs_f64()));
        let _ = write!(
            svg,
            "<rect class=\"window\" x=\"{from:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{PLOT}\" \
             fill=\"#f4c7c3\" fill-opacity=\"0.6\"/>\
             <text x=\"{from:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            (to - from).max(1.0),
            TOP - 6.0,
            window.mode
        );
    }
}

/// The time axis, with five labels and a legend under it.
fn axis(svg: &mut String, span: f64, x: &impl Fn(f64) -> f64) {
    let base = TOP + PLOT;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#555\"/>",
        WIDTH - RIGHT
    );
    for i in 0..=4 {
        let secs = span / 1.05 * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{secs:.0} s</text>",
            x(secs),
            base + 16.0
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"{:.1}\" font-size=\"11\">real time from the start of the run; \
         one row per delivery; green: reached the target, red: failed attempt; shaded: outage</text></svg>",
        base + 36.0
    );
}
