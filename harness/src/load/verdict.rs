//! The load verdict: every delivery answered 2xx, and, with an effects probe, every
//! distinct session processed exactly once: nothing lost, nothing doubled.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::tally::Tally;
use crate::effects::EffectsProbe;
use crate::profile::Profile;
use crate::sender::Sender;

/// How many example session ids a problem lists.
const EXAMPLES: usize = 5;
/// Between two reads of the same counts.
pub const REREAD_PAUSE: Duration = Duration::from_secs(2);
/// Reads of one count at most, until two consecutive ones agree.
pub const MAX_READS: usize = 4;

/// The effect count of every distinct session a load run sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactlyOnce {
    /// Sessions whose effects were counted.
    pub checked: u64,
    /// Sessions processed exactly once.
    pub once: u64,
    /// Acknowledged (2xx) sessions with no effect: lost.
    pub lost: u64,
    /// Sessions processed more than once.
    pub doubled: u64,
    /// Sessions never acknowledged and never processed (the provider would retry them).
    pub unacknowledged: u64,
    /// Sessions whose count could not be read.
    pub unverified: u64,
    /// A few session ids that were lost, doubled or unverified, each with what happened.
    pub examples: Vec<String>,
}

impl ExactlyOnce {
    /// Counts the effects of `sessions` (their indices), `concurrency` queries at a time. A
    /// count is graded only once two consecutive reads, [`REREAD_PAUSE`] apart, agree (at
    /// most [`MAX_READS`] reads): an effect recorded in the background after the answer
    /// (a duplicate processed late) is not missed by reading too early.
    pub async fn check(
        probe: &EffectsProbe,
        sender: &Sender,
        session_id: impl Fn(u64) -> String,
        sessions: &[u64],
        acknowledged: &[u64],
        concurrency: usize,
    ) -> ExactlyOnce {
        let read = |indices: Vec<u64>| {
            let ids: Vec<(u64, String)> = indices.into_iter().map(|i| (i, session_id(i))).collect();
            futures::stream::iter(ids)
                .map(|(index, id)| async move {
                    let count = probe.count(sender, &id).await.map_err(|e| e.to_string());
                    (index, (id, count))
                })
                .buffer_unordered(concurrency.max(1))
                .collect::<HashMap<u64, (String, Result<u64, String>)>>()
        };
        let mut counts = read(sessions.to_vec()).await;
        let mut unsettled: Vec<u64> = sessions.to_vec();
        let mut reads = 1;
        while !unsettled.is_empty() && reads < MAX_READS {
            tokio::time::sleep(REREAD_PAUSE).await;
            let again = read(unsettled).await;
            unsettled = again
                .iter()
                .filter(|(index, (_, count))| counts.get(index).map(|(_, c)| c) != Some(count))
                .map(|(index, _)| *index)
                .collect();
            counts.extend(again);
            reads += 1;
        }
        let acknowledged: HashSet<u64> = acknowledged.iter().copied().collect();
        let unsettled: HashSet<u64> = unsettled.into_iter().collect();
        let mut check = ExactlyOnce::default();
        let mut sorted: Vec<_> = counts.into_iter().collect();
        sorted.sort_by_key(|(index, _)| *index);
        for (index, (id, count)) in sorted {
            let count = match count {
                Ok(_) if unsettled.contains(&index) => Err(format!(
                    "the count still changed between the last two of {MAX_READS} reads"
                )),
                other => other,
            };
            check.tally(&id, count, acknowledged.contains(&index));
        }
        check
    }

    /// Counts one session's final count.
    fn tally(&mut self, id: &str, count: Result<u64, String>, acknowledged: bool) {
        self.checked += 1;
        let problem = match count {
            Ok(1) => {
                self.once += 1;
                None
            }
            Ok(0) if acknowledged => {
                self.lost += 1;
                Some(format!("{id}: acknowledged, never processed"))
            }
            Ok(0) => {
                self.unacknowledged += 1;
                None
            }
            Ok(n) => {
                self.doubled += 1;
                Some(format!("{id}: processed {n} times"))
            }
            Err(e) => {
                self.unverified += 1;
                Some(format!("{id}: {e}"))
            }
        };
        if let Some(problem) = problem
            && self.examples.len() < EXAMPLES
        {
            self.examples.push(problem);
        }
    }

    /// Adds another check of other sessions (another shard's): the counts add up, the
    /// examples are kept up to the usual few.
    pub fn add(&mut self, other: &ExactlyOnce) {
        self.checked += other.checked;
        self.once += other.once;
        self.lost += other.lost;
        self.doubled += other.doubled;
        self.unacknowledged += other.unacknowledged;
        self.unverified += other.unverified;
        let room = EXAMPLES.saturating_sub(self.examples.len());
        self.examples
            .extend(other.examples.iter().take(room).cloned());
    }

    /// Nothing lost, doubled or unverified.
    pub fn holds(&self) -> bool {
        self.lost == 0 && self.doubled == 0 && self.unverified == 0
    }
}

impl ExactlyOnce {
    /// The check's line, counting in `unit`s (`session`, `message`: see
    /// [`Profile::unit`](crate::profile::Profile::unit)).
    pub fn counted_in(&self, unit: &'static str) -> Counted<'_> {
        Counted { check: self, unit }
    }
}

/// An [`ExactlyOnce`] shown in the unit its effects are counted by.
pub struct Counted<'a> {
    check: &'a ExactlyOnce,
    unit: &'static str,
}

impl fmt::Display for Counted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.check;
        write!(
            f,
            "{} {}s checked: {} processed once, {} lost, {} doubled, {} never acknowledged, {} unverified",
            c.checked, self.unit, c.once, c.lost, c.doubled, c.unacknowledged, c.unverified
        )?;
        for example in &c.examples {
            write!(f, "\n            {example}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ExactlyOnce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.counted_in("session").fmt(f)
    }
}

/// Whether a load run's verdict holds, and the problems that break it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadVerdict {
    /// True when every delivery was answered 2xx and nothing was lost or doubled.
    pub holds: bool,
    /// One line per problem, each ending with the CONTRACT.md clause it breaks.
    pub problems: Vec<String>,
}

/// The clauses a load verdict cites under one profile.
pub struct Cited {
    /// Every delivery answered 2xx.
    pub answered: &'static str,
    /// Every delivery answered at all.
    pub no_response: &'static str,
    /// Deliveries held back by an outage arrive after it.
    pub outage: &'static str,
    /// No acknowledged session (message) goes unprocessed.
    pub lost: &'static str,
    /// None is processed twice.
    pub doubled: &'static str,
}

impl Cited {
    /// The clauses of `profile`'s contract.
    pub const fn of(profile: Profile) -> Cited {
        match profile {
            Profile::Cr3dentials => Cited {
                answered: "SPEC §3 ¶1, ¶2 [D-9]",
                no_response: "SPEC §3 ¶2 [D-9]",
                outage: "SPEC §2 ¶5 [D-8]",
                lost: "SPEC §3 ¶3",
                doubled: "SPEC §3 ¶3 [D-10]",
            },
            Profile::StandardWebhooks => Cited {
                answered: "STANDARD-WEBHOOKS [SW-12]",
                no_response: "STANDARD-WEBHOOKS [SW-12]",
                outage: "STANDARD-WEBHOOKS [SW-13]",
                lost: "STANDARD-WEBHOOKS [SW-11]",
                doubled: "STANDARD-WEBHOOKS [SW-11] [SD-5]",
            },
        }
    }
}

impl LoadVerdict {
    /// Judges a run's tally and its exactly-once check under `profile`'s contract.
    pub fn judge(profile: Profile, tally: &Tally, exactly_once: Option<&ExactlyOnce>) -> Self {
        Self::judge_counts(profile, tally.non_2xx(), tally.failed(), exactly_once)
    }

    /// Judges a run by its deliveries answered outside 2xx, those with no response, and
    /// its exactly-once check.
    pub fn judge_counts(
        profile: Profile,
        non_2xx: u64,
        failed: u64,
        exactly_once: Option<&ExactlyOnce>,
    ) -> Self {
        let cited = Cited::of(profile);
        let mut problems = Vec::new();
        if non_2xx > 0 {
            let clause = cited.answered;
            problems.push(format!(
                "{non_2xx} deliveries answered outside 2xx ({clause})"
            ));
        }
        if failed > 0 {
            let clause = cited.no_response;
            problems.push(format!("{failed} deliveries got no response ({clause})"));
        }
        Self::with_effects(profile, problems, exactly_once)
    }

    /// Judges an outage replay (`load --outage`): a delivery given up is the outage's
    /// doing when its last attempt met a window, and the target's own otherwise.
    pub fn judge_replay(
        profile: Profile,
        gave_up: u64,
        gave_up_in_outage: u64,
        exactly_once: Option<&ExactlyOnce>,
    ) -> Self {
        let cited = Cited::of(profile);
        let mut problems = Vec::new();
        if gave_up_in_outage > 0 {
            problems.push(format!(
                "{gave_up_in_outage} deliveries given up inside an outage that outlasted the retry schedule ({})",
                cited.outage
            ));
        }
        let by_target = gave_up.saturating_sub(gave_up_in_outage);
        if by_target > 0 {
            problems.push(format!(
                "{by_target} deliveries given up after the target itself refused or dropped their last attempt, outside every outage ({})",
                cited.answered
            ));
        }
        Self::with_effects(profile, problems, exactly_once)
    }

    /// `problems`, with those of the exactly-once check added, counted in the profile's
    /// units (sessions, messages).
    fn with_effects(
        profile: Profile,
        mut problems: Vec<String>,
        exactly_once: Option<&ExactlyOnce>,
    ) -> Self {
        let (cited, unit) = (Cited::of(profile), profile.unit());
        if let Some(check) = exactly_once {
            if check.lost > 0 {
                let clause = cited.lost;
                problems.push(format!(
                    "{} acknowledged {unit}s lost ({clause})",
                    check.lost
                ));
            }
            if check.doubled > 0 {
                problems.push(format!(
                    "{} {unit}s processed twice or more ({})",
                    check.doubled, cited.doubled
                ));
            }
            if check.unverified > 0 {
                problems.push(format!(
                    // The effects probe is CONTRACT.md's under every profile.
                    "{} {unit}s' effects could not be counted (SPEC §4 ¶1)",
                    check.unverified
                ));
            }
        }
        LoadVerdict {
            holds: problems.is_empty(),
            problems,
        }
    }
}

impl fmt::Display for LoadVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.holds {
            f.write_str("holds")
        } else {
            write!(f, "fails: {}", self.problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_names_every_problem() {
        let mut tally = Tally::default();
        tally.statuses.insert(200, 10);
        assert!(LoadVerdict::judge(Profile::Cr3dentials, &tally, None).holds);
        tally.statuses.insert(500, 2);
        let doubled = ExactlyOnce {
            doubled: 3,
            ..ExactlyOnce::default()
        };
        let verdict = LoadVerdict::judge(Profile::Cr3dentials, &tally, Some(&doubled));
        assert!(!verdict.holds);
        assert_eq!(verdict.problems.len(), 2, "{verdict}");
        assert!(verdict.to_string().contains("3 sessions processed twice"));
        // Every problem cites the clause it breaks.
        for problem in &verdict.problems {
            assert!(problem.contains("(SPEC §"), "{problem}");
        }
    }

    #[test]
    fn an_outage_replay_blames_the_outage_or_the_target_not_both() {
        assert!(LoadVerdict::judge_replay(Profile::Cr3dentials, 0, 0, None).holds);
        let outage = LoadVerdict::judge_replay(Profile::Cr3dentials, 4, 4, None);
        assert_eq!(outage.problems.len(), 1, "{outage}");
        assert!(outage.problems[0].starts_with("4 deliveries given up inside an outage"));
        let mixed = LoadVerdict::judge_replay(Profile::Cr3dentials, 5, 3, None);
        assert_eq!(mixed.problems.len(), 2, "{mixed}");
        assert!(mixed.problems[1].starts_with("2 deliveries given up after the target itself"));
    }

    #[test]
    fn a_standard_webhooks_verdict_counts_messages_and_cites_its_own_contract() {
        let mut tally = Tally::default();
        tally.statuses.insert(401, 2);
        let doubled = ExactlyOnce {
            doubled: 3,
            lost: 1,
            ..ExactlyOnce::default()
        };
        let verdict = LoadVerdict::judge(Profile::StandardWebhooks, &tally, Some(&doubled));
        assert_eq!(
            verdict.problems,
            [
                "2 deliveries answered outside 2xx (STANDARD-WEBHOOKS [SW-12])",
                "1 acknowledged messages lost (STANDARD-WEBHOOKS [SW-11])",
                "3 messages processed twice or more (STANDARD-WEBHOOKS [SW-11] [SD-5])",
            ]
        );
        let replay = LoadVerdict::judge_replay(Profile::StandardWebhooks, 2, 2, None);
        assert!(replay.problems[0].ends_with("(STANDARD-WEBHOOKS [SW-13])"));
    }
}
