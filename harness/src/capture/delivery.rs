//! The arrivals grouped into deliveries: the attempts that carry one `sessionId` ([D-21]).

use std::collections::BTreeMap;

use super::server::Arrival;

/// The attempts of one delivery (one `sessionId`, or none), in order.
pub(super) struct Delivery<'a> {
    pub label: String,
    pub attempts: Vec<&'a Arrival>,
}

pub(super) fn deliveries(arrivals: &[Arrival]) -> Vec<Delivery<'_>> {
    let mut by_session: BTreeMap<Option<&str>, Vec<&Arrival>> = BTreeMap::new();
    for arrival in arrivals.iter().filter(|a| !a.followed_redirect()) {
        by_session
            .entry(arrival.session.as_deref())
            .or_default()
            .push(arrival);
    }
    let mut deliveries: Vec<Delivery<'_>> = by_session
        .into_iter()
        .map(|(session, mut attempts)| {
            attempts.sort_by_key(|a| a.number);
            let label = match session {
                Some(id) => format!("sessionId {id}"),
                None => "the deliveries without a sessionId".to_owned(),
            };
            Delivery { label, attempts }
        })
        .collect();
    deliveries.sort_by_key(|d| d.attempts.first().map(|a| a.at));
    deliveries
}

/// Every attempt of every delivery, with its delivery.
pub(super) fn attempts<'a>(
    deliveries: &'a [Delivery<'a>],
) -> impl Iterator<Item = (&'a Delivery<'a>, &'a Arrival)> {
    deliveries
        .iter()
        .flat_map(|d| d.attempts.iter().map(move |a| (d, *a)))
}
