//! Latency statistics over every timed delivery of a run.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::results::LatencySummary;

/// Records delivery durations; a delivery that timed out is recorded at the timeout, so it
/// is never dropped from the statistics.
#[derive(Debug)]
pub struct LatencyRecorder {
    histogram: Histogram<u64>,
    timed_out: u64,
    slowest: Duration,
}

impl LatencyRecorder {
    /// An empty recorder for durations up to `timeout` (microsecond resolution).
    pub fn new(timeout: Duration) -> Self {
        let high = (timeout.as_micros() as u64).max(2) * 2;
        LatencyRecorder {
            histogram: Histogram::new_with_bounds(1, high, 3)
                .expect("bounds 1..2*timeout with 3 significant figures are valid"),
            timed_out: 0,
            slowest: Duration::ZERO,
        }
    }

    /// Records one delivery.
    pub fn record(&mut self, duration: Duration, timed_out: bool) {
        if timed_out {
            self.timed_out += 1;
        }
        self.slowest = self.slowest.max(duration);
        let micros = (duration.as_micros() as u64).clamp(1, self.histogram.high());
        self.histogram.saturating_record(micros);
    }

    /// How many deliveries were recorded.
    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// How many timed out.
    pub fn timed_out(&self) -> u64 {
        self.timed_out
    }

    /// The slowest recorded delivery.
    pub fn slowest(&self) -> Duration {
        self.slowest
    }

    /// The latency at quantile `q` (0.0..=1.0) in milliseconds, never above the maximum;
    /// 0 when nothing was recorded.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        let micros = self.histogram.value_at_quantile(q.clamp(0.0, 1.0));
        (micros as f64 / 1000.0).min(self.slowest.as_secs_f64() * 1000.0)
    }

    /// Adds everything `other` recorded (recorders kept per worker, merged at the end).
    pub fn merge(&mut self, other: &LatencyRecorder) {
        self.timed_out += other.timed_out;
        self.slowest = self.slowest.max(other.slowest);
        if self.histogram.add(&other.histogram).is_ok() {
            return;
        }
        for value in other.histogram.iter_recorded() {
            let micros = value.value_iterated_to().clamp(1, self.histogram.high());
            // Within bounds by the clamp; the count cannot overflow a u64 in practice.
            let _ = self.histogram.record_n(micros, value.count_at_value());
        }
    }

    /// Every recorded bucket as `[microseconds, count]`, the microseconds the bucket's
    /// highest equivalent value: what [`LatencyRecorder::from_buckets`] reads back.
    pub fn buckets(&self) -> Vec<[u64; 2]> {
        self.histogram
            .iter_recorded()
            .map(|value| [value.value_iterated_to(), value.count_at_value()])
            .collect()
    }

    /// A recorder for durations up to `timeout` holding `buckets` (from
    /// [`LatencyRecorder::buckets`]), `timed_out` timeouts and `slowest` at most.
    pub fn from_buckets(
        timeout: Duration,
        buckets: &[[u64; 2]],
        timed_out: u64,
        slowest: Duration,
    ) -> Self {
        let mut recorder = LatencyRecorder::new(timeout);
        for &[micros, count] in buckets {
            let micros = micros.clamp(1, recorder.histogram.high());
            // Within bounds by the clamp; the count cannot overflow a u64 in practice.
            let _ = recorder.histogram.record_n(micros, count);
        }
        recorder.timed_out = timed_out;
        recorder.slowest = slowest;
        recorder
    }

    /// The percentiles for the report.
    pub fn summary(&self) -> LatencySummary {
        if self.histogram.is_empty() {
            return LatencySummary::default();
        }
        let max_ms = self.slowest.as_secs_f64() * 1000.0;
        // A histogram bucket's upper edge can lie past the slowest value recorded: a
        // percentile never exceeds the maximum.
        let ms = |micros: u64| (micros as f64 / 1000.0).min(max_ms);
        LatencySummary {
            deliveries: self.histogram.len(),
            timed_out: self.timed_out,
            p50_ms: ms(self.histogram.value_at_quantile(0.50)),
            p95_ms: ms(self.histogram.value_at_quantile(0.95)),
            p99_ms: ms(self.histogram.value_at_quantile(0.99)),
            max_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_stay_in_the_statistics() {
        let mut recorder = LatencyRecorder::new(Duration::from_secs(1));
        for _ in 0..98 {
            recorder.record(Duration::from_millis(2), false);
        }
        recorder.record(Duration::from_secs(1), true);
        recorder.record(Duration::from_secs(1), true);
        let summary = recorder.summary();
        assert_eq!(summary.deliveries, 100);
        assert_eq!(summary.timed_out, 2);
        assert!((1.9..2.1).contains(&summary.p50_ms), "{summary:?}");
        assert!(summary.p99_ms >= 990.0, "{summary:?}");
        assert!(summary.max_ms >= 1000.0, "{summary:?}");
    }

    #[test]
    fn merged_recorders_hold_both_sets_of_deliveries() {
        let mut fast = LatencyRecorder::new(Duration::from_secs(1));
        let mut slow = LatencyRecorder::new(Duration::from_secs(1));
        for _ in 0..999 {
            fast.record(Duration::from_millis(1), false);
        }
        slow.record(Duration::from_millis(800), true);
        fast.merge(&slow);
        assert_eq!((fast.count(), fast.timed_out()), (1000, 1));
        assert!((0.9..1.1).contains(&fast.quantile_ms(0.5)));
        assert!((790.0..=800.0).contains(&fast.quantile_ms(0.9999)));
        assert_eq!(fast.slowest(), Duration::from_millis(800));
    }

    #[test]
    fn buckets_read_back_into_the_same_percentiles() {
        let mut recorder = LatencyRecorder::new(Duration::from_secs(1));
        for ms in 1..=500 {
            recorder.record(Duration::from_micros(ms * 997), ms == 500);
        }
        let back = LatencyRecorder::from_buckets(
            Duration::from_secs(1),
            &recorder.buckets(),
            recorder.timed_out(),
            recorder.slowest(),
        );
        assert_eq!((back.count(), back.timed_out()), (500, 1));
        for q in [0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(back.quantile_ms(q), recorder.quantile_ms(q), "{q}");
        }
    }

    #[test]
    fn percentiles_never_exceed_the_maximum() {
        let mut recorder = LatencyRecorder::new(Duration::from_secs(30));
        recorder.record(Duration::from_micros(123_457), false);
        let summary = recorder.summary();
        assert!(summary.p99_ms <= summary.max_ms, "{summary:?}");
        assert!(summary.p50_ms <= summary.max_ms, "{summary:?}");
    }
}
