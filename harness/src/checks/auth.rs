//! Auth family (SPEC §3 ¶7): with an auth header configured, a delivery whose header is
//! missing, empty or differs in any way is refused (401 or 403 SHOULD) and causes no side
//! effect; the header's *name* matches in any case; two copies of the header are reported.

use std::time::Instant;

use futures::future::join_all;

use super::kit::NO_EFFECTS_PROBE;
use super::kit::{Ctx, Probe, Sent, Verdict, VerdictOutcome};
use crate::auth::AuthHeader;
use crate::catalogue::{BAD_AUTH_VARIANTS, REQUIREMENTS};
use crate::repro::AuthRepro;
use crate::spec::Status;

/// How one bad-credential variant changes the configured header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// No header at all.
    Missing,
    /// The header with this value, written in repro lines as this bash expression.
    Value(Vec<u8>, String),
}

/// The header a bad-credential variant sends, or why the variant cannot be built from this
/// secret (it would equal the secret).
pub fn mutate(variant: &str, secret: &[u8]) -> Result<Mutation, &'static str> {
    let var = AuthHeader::REPRO_VARIABLE;
    let value = |bytes: Vec<u8>, expression: String| Ok(Mutation::Value(bytes, expression));
    match variant {
        "missing-header" => Ok(Mutation::Missing),
        "empty-value" => value(Vec::new(), String::new()),
        "wrong-value" => value(
            b"hookcheck-wrong-value".to_vec(),
            "hookcheck-wrong-value".into(),
        ),
        "truncated-value" => value(secret[..secret.len() - 1].to_vec(), format!("${{{var}%?}}")),
        "extended-value" => {
            let mut extended = secret.to_vec();
            extended.push(b'x');
            value(extended, format!("${{{var}}}x"))
        }
        "other-case" => {
            let flipped: Vec<u8> = secret
                .iter()
                .map(|b| {
                    if b.is_ascii_lowercase() {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    }
                })
                .collect();
            if flipped == secret {
                Err("the secret has no letters, so it has no other case")
            } else {
                value(flipped, format!("${{{var}~~}}"))
            }
        }
        "inner-whitespace" => {
            if secret.len() < 2 {
                Err("the secret is one character long, so it has no inside")
            } else {
                let mut spaced = secret[..1].to_vec();
                spaced.push(b' ');
                spaced.extend_from_slice(&secret[1..]);
                value(spaced, format!("${{{var}:0:1}} ${{{var}:1}}"))
            }
        }
        _ => Err("unknown variant"),
    }
}

/// Runs the auth checks.
pub async fn run(ctx: &Ctx) {
    let Some(auth) = ctx.auth.clone() else {
        for requirement in REQUIREMENTS.iter().filter(|r| r.id.starts_with("auth/")) {
            for id in requirement.check_ids() {
                ctx.skip(
                    &id,
                    "no --auth given: the target is graded as having no auth header",
                );
            }
        }
        return;
    };
    let rejected = join_all(
        BAD_AUTH_VARIANTS
            .iter()
            .map(|variant| bad_credentials(ctx, &auth, variant)),
    )
    .await;
    rejection_status(ctx, &rejected);
    no_effect_when_rejected(ctx, &rejected).await;
    tokio::join!(
        name_in_any_case(ctx, &auth, "lowercase"),
        name_in_any_case(ctx, &auth, "uppercase"),
        duplicated_header(ctx, &auth),
    );
}

/// One bad-credential delivery: its variant, session, and what came back.
struct Rejected {
    variant: &'static str,
    session_id: String,
    sent: Option<Sent>,
}

async fn bad_credentials(ctx: &Ctx, auth: &AuthHeader, variant: &'static str) -> Rejected {
    let id = format!("auth/rejects-bad-credentials/{variant}");
    let payload = ctx.payload(Status::Completed, &id).build();
    let mut rejected = Rejected {
        variant,
        session_id: payload.session_id.clone(),
        sent: None,
    };
    let wanted = ctx.selected(&id)
        || ctx.selected(&format!("auth/no-effect-when-rejected/{variant}"))
        || ctx.selected("auth/rejection-status");
    if !wanted {
        return rejected;
    }
    let started = Instant::now();
    let name = auth.name().as_str();
    let probe = ctx.delivery(payload.to_json_bytes()).untimed();
    let probe = match mutate(variant, auth.expose_value().as_bytes()) {
        Ok(Mutation::Missing) => probe.without(name),
        Ok(Mutation::Value(value, expression)) => Probe {
            auth_repro: Some(AuthRepro::Expression(expression)),
            ..probe.replacing(name, value)
        },
        Err(reason) => {
            ctx.skip(&id, reason);
            ctx.skip(&format!("auth/no-effect-when-rejected/{variant}"), reason);
            return rejected;
        }
    };
    let sent = ctx.send(&probe).await;
    if ctx.selected(&id) {
        let expected = "non-2xx (401 or 403)";
        let verdict = match &sent.exchanged.outcome {
            Ok(response) if response.status.is_success() => Verdict::new(
                VerdictOutcome::Broken,
                expected,
                format!("accepted: {}", sent.describe()),
            ),
            Ok(_) => Verdict::new(VerdictOutcome::Holds, expected, sent.describe()),
            // A refused connection says nothing about the credentials; any other failure
            // to answer is no acceptance either.
            Err(e) if e.class == crate::sender::FailureClass::Connect => {
                Verdict::new(VerdictOutcome::NoVerdict, expected, sent.describe())
            }
            Err(_) => Verdict::new(VerdictOutcome::Holds, expected, sent.describe()),
        };
        ctx.report(&id, started, verdict.with_repro(sent.repro.clone()));
    }
    rejected.sent = Some(sent);
    rejected
}

/// 401 or 403 for every refused delivery (SHOULD).
fn rejection_status(ctx: &Ctx, rejected: &[Rejected]) {
    let id = "auth/rejection-status";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let others: Vec<(&str, &Sent)> = rejected
        .iter()
        .filter_map(|r| r.sent.as_ref().map(|sent| (r.variant, sent)))
        .filter(|(_, sent)| {
            sent.status()
                .is_some_and(|s| !(200..300).contains(&s) && s != 401 && s != 403)
        })
        .collect();
    let expected = "401 or 403 for each refused delivery";
    let verdict = match others.first() {
        None => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            "every refusal was 401 or 403",
        ),
        Some((_, first)) => Verdict::new(
            VerdictOutcome::Broken,
            expected,
            others
                .iter()
                .map(|(variant, sent)| format!("{variant}: {}", sent.describe()))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .with_repro(first.repro.clone()),
    };
    ctx.report(id, started, verdict);
}

/// No side effect for any refused delivery (needs the effects probe).
async fn no_effect_when_rejected(ctx: &Ctx, rejected: &[Rejected]) {
    let ids: Vec<String> = rejected
        .iter()
        .map(|r| format!("auth/no-effect-when-rejected/{}", r.variant))
        .collect();
    if !ctx.any_selected(&ids) {
        return;
    }
    if ctx.effects.is_none() {
        for id in &ids {
            ctx.skip(id, NO_EFFECTS_PROBE);
        }
        return;
    }
    tokio::time::sleep(ctx.settle).await;
    for (r, id) in rejected.iter().zip(&ids) {
        let Some(sent) = &r.sent else { continue };
        if !ctx.selected(id) {
            continue;
        }
        let started = Instant::now();
        let expected = format!("0 effects for session {}", r.session_id);
        let verdict = match ctx.effect_count(&r.session_id).await {
            Some(Ok(0)) => Verdict::new(VerdictOutcome::Holds, expected, "0 effects"),
            Some(Ok(n)) => Verdict::new(
                VerdictOutcome::Broken,
                expected,
                format!(
                    "{n} effect(s) after a delivery answered {}",
                    sent.describe()
                ),
            ),
            Some(Err(e)) => Verdict::new(VerdictOutcome::NoVerdict, expected, e),
            None => Verdict::skip(NO_EFFECTS_PROBE),
        };
        ctx.report(id, started, verdict.with_repro(sent.repro.clone()));
    }
}

/// The configured header sent with its name in lower or upper case, over the raw client
/// so the case reaches the wire.
async fn name_in_any_case(ctx: &Ctx, auth: &AuthHeader, variant: &str) {
    let id = format!("auth/header-name-any-case/{variant}");
    if !ctx.selected(&id) {
        return;
    }
    let started = Instant::now();
    let name = match variant {
        "uppercase" => auth.name().as_str().to_ascii_uppercase(),
        _ => auth.name().as_str().to_ascii_lowercase(),
    };
    let body = ctx.payload(Status::Completed, &id).build().to_json_bytes();
    let probe = ctx
        .delivery(body)
        .without(auth.name().as_str())
        .with(&name, auth.expose_value().as_bytes());
    let sent = ctx.send_raw(&probe).await;
    ctx.report(&id, started, ctx.expect_2xx(&sent));
}

/// Two copies of the header, the wrong one first: either answer conforms (INFO).
async fn duplicated_header(ctx: &Ctx, auth: &AuthHeader) {
    let id = "auth/duplicated-header";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let body = ctx.payload(Status::Completed, id).build().to_json_bytes();
    let name = auth.name().as_str();
    let probe = ctx
        .delivery(body)
        .untimed()
        .without(name)
        .with(name, b"hookcheck-wrong-value".to_vec())
        .with(name, auth.expose_value().as_bytes());
    let sent = ctx.send(&probe).await;
    let expected = "any answer (either behaviour conforms)";
    let verdict = match (&sent.exchanged.outcome, sent.is_2xx()) {
        (Ok(_), true) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("accepted: {}", sent.describe()),
        ),
        (Ok(_), false) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("refused: {}", sent.describe()),
        ),
        (Err(_), _) => Verdict::new(VerdictOutcome::NoVerdict, expected, sent.describe()),
    };
    ctx.report(id, started, verdict.with_repro(sent.repro.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_differs_from_the_secret() {
        for variant in BAD_AUTH_VARIANTS {
            match mutate(variant, b"s3cret-Key").unwrap() {
                Mutation::Missing => assert_eq!(*variant, "missing-header"),
                Mutation::Value(value, expression) => {
                    assert_ne!(value, b"s3cret-Key", "{variant}");
                    assert!(!expression.contains("s3cret"), "{variant}: {expression}");
                }
            }
        }
    }

    #[test]
    fn mutations_that_would_equal_the_secret_are_refused() {
        assert!(mutate("other-case", b"12345").is_err());
        assert!(mutate("inner-whitespace", b"k").is_err());
        assert_eq!(
            mutate("truncated-value", b"abc").unwrap(),
            Mutation::Value(b"ab".to_vec(), "${HOOKCHECK_AUTH%?}".into())
        );
    }
}
