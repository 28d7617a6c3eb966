//! [`Shard`]: which share of one seeded backlog a process sends (`load --shard K/N`).
//!
//! Sessions, not deliveries, are split: shard K sends every copy of the sessions it owns,
//! so the shards' exactly-once checks cover disjoint sessions and their union is the
//! backlog one process sends with the same seed, duplicates ratio and `--deliveries`. A
//! session's owner is a hash of its index (not the index mod N), so which shard sends a
//! session and which replica its first copy goes to (the index mod the URLs) stay
//! independent: with 2 shards and 2 replicas, each shard still loads both replicas.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::hash::mix;

/// Shard `index` of `count` (1 ≤ index ≤ count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's number, from 1.
    pub index: u32,
    /// How many shards split the backlog.
    pub count: u32,
}

/// A `--shard` that is not `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --shard `{0}`: expected K/N with 1 <= K <= N, e.g. 1/2")]
pub struct ShardError(String);

/// Keeps the owner hash apart from the other uses of [`mix`].
const OWNER_SALT: u64 = 0x5348_4152_445f_4f57;

/// What a shard's JSON report records beyond the report itself, so that `load --merge`
/// can check the shards split one backlog and add their latency up exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// Which shard this is.
    pub shard: Shard,
    /// The backlog's seed, the same on every shard.
    pub seed: u64,
    /// The whole backlog's deliveries (`--deliveries`), of which this shard sent its share.
    pub backlog: u64,
    /// The backlog's duplicates ratio (`--duplicates`).
    pub duplicates_ratio: f64,
    /// Whether this shard ran the exactly-once check.
    pub effects: bool,
    /// The latency histogram: `[microseconds, deliveries]` per bucket.
    pub latency_us: Vec<[u64; 2]>,
}

impl Shard {
    /// The whole backlog: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether this shard sends the copies of session `session`.
    pub fn owns(self, session: u64) -> bool {
        mix(session ^ OWNER_SALT) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError(text.to_owned());
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = index.trim().parse().map_err(|_| bad())?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::load::Schedule;

    #[test]
    fn a_shard_is_k_of_n_and_anything_else_is_refused_by_name() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse(), Ok(Shard::WHOLE));
        for bad in ["0/2", "3/2", "1", "1/0", "a/b", "-1/2", "", "1/2/3"] {
            let error = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
    }

    /// The deliveries (k) shard `shard` sends out of a backlog of `n`.
    fn sent(schedule: &Schedule, shard: Shard, n: u64) -> Vec<u64> {
        (0..n)
            .filter(|&k| shard.owns(schedule.session_of(k)))
            .collect()
    }

    #[test]
    fn shards_are_disjoint_and_together_send_the_whole_backlog() {
        let schedule = Schedule::new(11, 0.3);
        for count in [1u32, 2, 3, 5] {
            let mut all = Vec::new();
            let mut sessions = HashSet::new();
            for index in 1..=count {
                let shard = Shard { index, count };
                let mine = sent(&schedule, shard, 5000);
                let fair = 5000 / u64::from(count);
                assert!(
                    (mine.len() as u64).abs_diff(fair) < fair / 5 + 20,
                    "{shard}"
                );
                for &k in &mine {
                    let session = schedule.session_of(k);
                    // Every copy of a session goes out from the one shard that owns it.
                    assert!(sessions.insert((session, index)) || shard.owns(session));
                }
                all.extend(mine);
            }
            all.sort_unstable();
            assert_eq!(all, (0..5000).collect::<Vec<_>>(), "{count} shards");
            let owners: HashSet<u64> = sessions.iter().map(|(s, _)| *s).collect();
            assert_eq!(owners.len(), sessions.len(), "one owner per session");
        }
    }
}
