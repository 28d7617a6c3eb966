use super::*;
use crate::spec::{Limits, parse_with};

fn pins() -> Vec<Pin> {
    let mut pins = vec![Pin::ANY];
    for extra in Extra::ALL {
        pins.push(Pin {
            extra: Some(extra),
            reference: Some(Presence::Present),
            data: Some(Presence::Present),
            ..Pin::ANY
        });
    }
    for form in TimeForm::ALL {
        pins.push(Pin {
            form: Some(form),
            ..Pin::ANY
        });
    }
    pins
}

#[test]
fn every_drawn_delivery_is_valid_and_ordinary_in_size() {
    for seed in 0..40u64 {
        for (i, pin) in pins().iter().enumerate() {
            for &status in &Status::ALL {
                let drawn = Drawn::draw(seed, &format!("label/{i}"), status, pin);
                let body = drawn.to_bytes();
                let payload = parse_with(&body, Limits::default()).unwrap_or_else(|e| {
                    panic!(
                        "{}: {e}\n{}",
                        drawn.describe(),
                        String::from_utf8_lossy(&body)
                    )
                });
                assert_eq!(payload.session_id, drawn.session_id);
                assert_eq!(payload.status, status);
                let at = (payload.completed_at - drawn.completed_at()).whole_milliseconds();
                assert!(at.abs() < 1000, "{}: {at} ms", drawn.describe());
                if drawn.features.extra == Extra::Large {
                    assert_eq!(body.len(), crate::generate::LARGE_BODY_BYTES);
                } else {
                    assert!(body.len() < 8 * 1024, "{} bytes", body.len());
                }
            }
        }
    }
}

#[test]
fn the_same_seed_and_label_draw_the_same_features_and_a_fresh_session() {
    let a = Drawn::draw(5, "status/x", Status::Error, &Pin::ANY);
    let b = Drawn::draw(5, "status/x", Status::Error, &Pin::ANY);
    assert_eq!(a.features, b.features);
    assert_ne!(a.session_id, b.session_id);
    let c = Drawn::draw(5, "status/y", Status::Error, &Pin::ANY);
    let d = Drawn::draw(6, "status/x", Status::Error, &Pin::ANY);
    assert!(a.features != c.features || a.features != d.features);
    assert!(uuid::Uuid::parse_str(&a.session_id).is_ok());
}

/// Drawn deliveries stay inside the skew bound, with room for the time they take to arrive.
const _: () = assert!(MAX_AHEAD_SECS < CLOCK_SKEW_BOUND_SECS);

#[test]
fn ages_cover_every_class_within_their_bounds() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..200u64 {
        let drawn = Drawn::draw(seed, "age", Status::Completed, &Pin::ANY);
        let f = &drawn.features;
        seen.insert(f.age);
        let day = 86_400_000;
        match f.age {
            Age::YearsBack => assert!(f.offset_ms <= -365 * day),
            Age::DaysBack => assert!((-30 * day..-day).contains(&f.offset_ms)),
            Age::Now => assert_eq!(f.offset_ms, 0),
            Age::Ahead => assert!(f.offset_ms > 0 && f.offset_ms <= MAX_AHEAD_SECS * 1000),
        }
        // Run deliveries use the sender's own form unless a check pins another.
        assert_eq!(f.form, TimeForm::Millis);
        assert_eq!(f.extra, Extra::Nothing);
    }
    assert_eq!(seen.len(), Age::ALL.len());
}

#[test]
fn walking_every_dimension_back_reaches_the_canonical_delivery() {
    for seed in 0..50u64 {
        let drawn = Drawn::draw(seed, "walk", Status::ALL[seed as usize % 5], &Pin::ANY);
        let mut walked = drawn.clone();
        for dimension in drawn.off_canonical() {
            if !walked.off_canonical().contains(&dimension) {
                continue; // put back with another dimension
            }
            let before = walked.to_bytes();
            walked = walked.with_canonical(dimension);
            assert_ne!(walked.to_bytes(), before, "{dimension} changed nothing");
            assert!(!drawn.feature(dimension).is_empty());
        }
        assert_eq!(
            walked.features,
            drawn.canonical().features,
            "{}",
            drawn.describe()
        );
        assert!(walked.off_canonical().is_empty());
    }
}

#[test]
fn features_are_named_in_words_a_user_can_act_on() {
    let mut drawn = Drawn::draw(1, "words", Status::Completed, &Pin::ANY);
    drawn.features.data = Presence::Present;
    drawn.features.data_keys = Keys::OtherKeys;
    drawn.features.age = Age::Ahead;
    drawn.features.offset_ms = 90_000;
    let text = drawn.describe();
    assert!(text.contains("no `accountHolder`"), "{text}");
    assert!(text.contains("90 s ahead of now"), "{text}");
    let other = drawn.other_event(Status::Error);
    assert_eq!(other.session_id, drawn.session_id);
    assert_ne!(other.to_bytes(), drawn.to_bytes());
}

#[test]
fn every_time_form_writes_the_same_instant() {
    for form in TimeForm::ALL {
        let pin = Pin {
            form: Some(form),
            ..Pin::ANY
        };
        let drawn = Drawn::draw(3, "form", Status::Completed, &pin);
        let text = drawn.completed_at_text();
        let lowercase = text.contains('t') || text.ends_with('z');
        assert_eq!(
            lowercase,
            matches!(form, TimeForm::LowercaseT | TimeForm::LowercaseZ),
            "{form}: {text}"
        );
        let sender_form = text.len() == 24 && text.ends_with('Z') && &text[10..11] == "T";
        assert_eq!(form == TimeForm::Millis, sender_form, "{text}");
    }
}
