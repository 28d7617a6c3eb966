use std::collections::HashSet;

use super::*;
use crate::profile::Profile;

#[test]
fn ids_are_unique_and_start_with_their_category() {
    let mut seen = HashSet::new();
    for requirement in REQUIREMENTS {
        assert!(
            seen.insert(requirement.id),
            "duplicate id {}",
            requirement.id
        );
        let category = requirement.id.split('/').next().unwrap();
        assert_eq!(
            category,
            requirement.category.as_str(),
            "{}",
            requirement.id
        );
    }
    let checks = all_check_ids();
    let unique: HashSet<_> = checks.iter().collect();
    assert_eq!(unique.len(), checks.len());
}

#[test]
fn every_check_maps_back_to_its_requirement() {
    for requirement in REQUIREMENTS {
        for check in requirement.check_ids() {
            assert_eq!(requirement_of(&check).map(|r| r.id), Some(requirement.id));
        }
    }
    assert!(requirement_of("status/valid-delivery-2xx-extra").is_none());
}

#[test]
fn every_requirement_is_checked_or_says_why_not() {
    for requirement in REQUIREMENTS {
        assert!(
            !requirement.check_ids().is_empty() || requirement.unchecked.is_some(),
            "{} has no check and no reason",
            requirement.id
        );
        assert!(requirement.text.ends_with('.'), "{}", requirement.id);
        assert!(
            requirement.clause.starts_with("SPEC §"),
            "{}",
            requirement.id
        );
    }
}

#[test]
fn every_payload_shape_is_graded_by_a_catalogue_check() {
    let ids = all_check_ids();
    for shape in crate::generate::PayloadShape::ALL {
        assert!(ids.contains(&shape.acceptance_check()), "{shape}");
    }
}

#[test]
fn needs_say_what_a_run_lacks() {
    assert_eq!(Needs::Nothing.unmet(false, false), None);
    assert_eq!(Needs::Auth.unmet(false, true), Some(NO_AUTH));
    assert_eq!(Needs::Effects.unmet(true, false), Some(NO_EFFECTS_PROBE));
    assert_eq!(Needs::AuthAndEffects.unmet(true, true), None);
    assert_eq!(Needs::AuthAndEffects.unmet(false, false), Some(NO_AUTH));
}

#[test]
fn selection_matches_whole_segments() {
    let only_auth = Selection {
        only: vec!["auth".into()],
        skip: vec!["auth/duplicated-header".into()],
    };
    assert!(only_auth.includes("auth/rejects-bad-credentials/missing-header"));
    assert!(!only_auth.includes("auth/duplicated-header"));
    assert!(!only_auth.includes("status/valid-delivery-2xx/completed"));
    let typo = Selection {
        only: vec!["stat".into()],
        skip: Vec::new(),
    };
    assert_eq!(
        typo.unknown_prefixes(Profile::Cr3dentials),
        vec!["stat".to_owned()]
    );
    let signature = Selection {
        only: vec!["signature".into()],
        skip: Vec::new(),
    };
    assert!(
        signature
            .unknown_prefixes(Profile::StandardWebhooks)
            .is_empty()
    );
    assert_eq!(
        signature.unknown_prefixes(Profile::Cr3dentials),
        vec!["signature".to_owned()]
    );
    assert!(Selection::default().includes("latency/burst"));
}

#[test]
fn ids_are_unique_per_catalogue_and_a_shared_id_is_one_check() {
    let catalogues = Profile::ALL
        .map(requirements)
        .into_iter()
        .chain([sender::SENDER_REQUIREMENTS]);
    let mut seen: Vec<&Requirement> = Vec::new();
    for catalogue in catalogues {
        let mut own = HashSet::new();
        for requirement in catalogue {
            assert!(own.insert(requirement.id), "{} twice", requirement.id);
            assert_eq!(
                requirement.id.split('/').next(),
                Some(requirement.category.as_str())
            );
            assert!(
                !requirement.check_ids().is_empty() || requirement.unchecked.is_some(),
                "{}",
                requirement.id
            );
            // Shared across profiles: the same check in every way but the clause cited and
            // the words it is said in (a session, a message).
            if let Some(other) = seen.iter().find(|r| r.id == requirement.id) {
                let cited = |r: &Requirement| Requirement {
                    clause: "",
                    text: "",
                    ..*r
                };
                assert_eq!(cited(other), cited(requirement));
                assert_ne!(other.clause, requirement.clause, "{}", requirement.id);
            }
            seen.push(requirement);
        }
    }
    for profile in Profile::ALL {
        for requirement in requirements(profile) {
            for check in requirement.check_ids() {
                let found = requirement_in(profile, &check);
                assert_eq!(found.map(|r| r.clause), Some(requirement.clause));
            }
        }
    }
    let shared = [
        "latency/within-timeout",
        "transport/https",
        "transport/no-redirect",
    ];
    for id in shared {
        let sw = requirement_in(Profile::StandardWebhooks, id).unwrap();
        assert!(sw.clause.starts_with("STANDARD-WEBHOOKS"), "{id}");
    }
}

#[test]
fn standard_webhooks_requirements_cite_their_own_contract() {
    for requirement in STANDARD_WEBHOOKS_REQUIREMENTS {
        assert!(
            requirement.clause.starts_with("STANDARD-WEBHOOKS [S"),
            "{}",
            requirement.id
        );
        assert!(requirement.text.ends_with('.'), "{}", requirement.id);
    }
}
