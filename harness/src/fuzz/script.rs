//! A failing sequence as a POSIX `sh` script: each slot's session id a shell variable
//! fresh for every run of the script (so it can be run again against the same receiver),
//! copies in order or together, pauses, other sessions, then the effect counts to compare.
//! The auth value is never written: the configured one is `$HOOKCHECK_AUTH`, a changed one
//! the `sh` expression that derives it.

use std::path::Path;
use std::time::Duration;

use super::execute::ABANDON_PATIENCE;
use super::model::{Credential, Delivery, Expect, RUN_MARK, Sequence, Step};
use axum::http::{HeaderName, HeaderValue};

use super::signing;
use crate::auth::AuthHeader;
use crate::effects::{EffectsProbe, EffectsSource, SESSION_PLACEHOLDER};
use crate::generate::MutatedHeader;
use crate::repro::signed_script;
use crate::repro::{AuthRepro, ReproRequest, Script, Step as ScriptStep, curl, single_quote};
use crate::secrets::secret_names;
use crate::spec::{PayloadBuilder, Status};
use crate::standard_webhooks::Recipe;

/// What a script needs besides the sequence.
#[derive(Debug, Clone, Copy)]
pub struct ScriptContext<'a> {
    /// The webhook URL, then the replicas (`--replica`): a delivery goes to the one its
    /// `replica` names.
    pub urls: &'a [String],
    /// The configured auth header.
    pub auth: Option<&'a AuthHeader>,
    /// The extra headers every delivery carries (`--header`, `--secret-header`).
    pub headers: &'a [(HeaderName, HeaderValue)],
    /// The effects probe, to print the counts at the end.
    pub effects: Option<&'a EffectsProbe>,
    /// How long to wait before counting.
    pub settle: Duration,
    /// Where bodies too long for a line are written, if anywhere.
    pub bodies: Option<&'a Path>,
    /// Under `standard-webhooks`: each delivery is signed again when the script runs, with
    /// the secret read from `$HOOKCHECK_SECRET`.
    pub signed: bool,
}

impl ScriptContext<'_> {
    /// The URL of the target (`replica` 0) or of a replica.
    fn url(&self, replica: u16) -> &str {
        let url = self.urls.get(usize::from(replica)).or(self.urls.first());
        url.map_or("", String::as_str)
    }
}

/// The mark of slot `n` in a rendered line, replaced by its shell variable.
fn mark(slot: u16) -> String {
    format!("@HOOKCHECK_SLOT_{slot}@")
}

/// The variable of slot `n`, spliced into a single-quoted word.
fn variable(slot: u16) -> String {
    format!("'\"$s{slot}\"'")
}

/// The script of `sequence`; `name` names the body files it writes.
pub fn render(sequence: &Sequence, context: &ScriptContext<'_>, name: &str) -> String {
    let mut head = match context.signed {
        true => String::from(
            "# message ids (webhook-id), fresh for every run of this script; each delivery is\n# signed when sent with $HOOKCHECK_SECRET (export it first)\n",
        ),
        false => String::from("# session ids, fresh for every run of this script\n"),
    };
    head.push_str("run=\"$$\"\n");
    for n in 0..sequence.slots() {
        match context.signed {
            true => head.push_str(&format!("s{n}=\"msg_fuzz_$$_{n}\"\n")),
            false => head.push_str(&format!("s{n}=\"fuzz-$$-{n}\"\n")),
        }
    }
    if context.urls.len() > 1 {
        head.push_str(&format!(
            "# the copies of each session go round robin over {}\n",
            context.urls.join(" ")
        ));
    }
    let mut script = Script::new();
    for (index, step) in sequence.steps.iter().enumerate() {
        script = match step {
            Step::Send(d) => script
                .then(ScriptStep::Comment(d.label.clone()))
                .then(ScriptStep::Send(line(d, context, name, index))),
            Step::Together(ds) => script
                .then(ScriptStep::Comment(format!("together: {}", labels(ds))))
                .then(ScriptStep::Together(
                    ds.iter().map(|d| line(d, context, name, index)).collect(),
                )),
            Step::Abandon(d) => script
                .then(ScriptStep::Comment(format!("{}, abandoned", d.label)))
                .then(ScriptStep::Abandon {
                    line: line(d, context, name, index),
                    after: ABANDON_PATIENCE.max(Duration::from_millis(50)),
                }),
            Step::Pause { ms } => script.then(ScriptStep::Sleep(Duration::from_millis(*ms))),
            Step::Others { count } if context.signed => script
                .then(ScriptStep::Comment(format!("{count} other messages")))
                .then(signed_others(*count, context)),
            Step::Others { count } => script
                .then(ScriptStep::Comment(format!("{count} other sessions")))
                .then(others(*count, context)),
        };
    }
    head + &counts(script, sequence, context).render()
}

fn line(delivery: &Delivery, context: &ScriptContext<'_>, name: &str, step: usize) -> String {
    if context.signed {
        return signed_line(delivery, context);
    }
    let body = delivery.body.bytes(&mark(delivery.session));
    let mut headers = Vec::new();
    if let Some(content_type) = &delivery.content_type {
        headers.push(("Content-Type".to_owned(), content_type.as_bytes().to_vec()));
    }
    let mut auth_repro = None;
    if let Some(auth) = context.auth {
        let name = auth.name().as_str().to_owned();
        match delivery.credential {
            Credential::Configured => {
                headers.push((name, auth.expose_value().as_bytes().to_vec()));
                auth_repro = Some(AuthRepro::Secret);
            }
            Credential::Mutated(mutation) => {
                if let Ok(MutatedHeader::Value { value, expression }) =
                    mutation.apply(auth.expose_value().as_bytes())
                {
                    headers.push((name, value));
                    auth_repro = Some(AuthRepro::Expression(expression));
                }
            }
            // Signed deliveries are written by `signed_line`.
            Credential::Signed(_) => {}
        }
    }
    headers.extend(extra_headers(context));
    let file = context
        .bodies
        .filter(|_| body.len() > crate::repro::MAX_INLINE_BODY)
        .map(|dir| dir.join(format!("{name}.step{step}-session{}.bin", delivery.session)));
    let written = file
        .as_ref()
        .is_some_and(|f| std::fs::write(f, &body).is_ok());
    let request = ReproRequest {
        method: delivery.method.as_str(),
        url: context.url(delivery.replica),
        headers: &headers,
        body: &body,
        auth: context.auth,
        secrets: &secret_names(context.headers),
        auth_repro: auth_repro.as_ref(),
        body_file: file.as_deref().filter(|_| written),
    };
    let mut text = curl(&request)
        .replace(&mark(delivery.session), &variable(delivery.session))
        .replace(RUN_MARK, "'\"$run\"'");
    if let (Some(path), true) = (&file, written) {
        // The file holds the mark: sed writes the session in on the way to curl.
        let quoted = single_quote(&path.display().to_string());
        text = text.replace(&format!("@{quoted}"), "@-");
        text = format!(
            "sed \"s/{}/$s{}/g; s/{RUN_MARK}/$run/g\" {quoted} | {text}",
            mark(delivery.session),
            delivery.session
        );
    }
    text
}

/// A Standard Webhooks delivery as lines that sign it when run and send it: its id is the
/// slot's variable, its body written inline.
fn signed_line(delivery: &Delivery, context: &ScriptContext<'_>) -> String {
    let slot = mark(delivery.session);
    let body = delivery.body.bytes(&slot);
    let recipe = signing::recipe(delivery.credential.signing(), &slot, body);
    let text = signed_request(&recipe, context, context.url(delivery.replica));
    text.replace(&slot, &variable(delivery.session))
        .replace(RUN_MARK, "'\"$run\"'")
}

/// The lines that make `recipe`'s attempt when run and send it to `url`, with the
/// content type and the extra headers.
fn signed_request(recipe: &Recipe, context: &ScriptContext<'_>, url: &str) -> String {
    let mut headers = vec![("Content-Type".to_owned(), b"application/json".to_vec())];
    headers.extend(extra_headers(context));
    signed_script(
        recipe,
        &ReproRequest {
            method: "POST",
            url,
            headers: &headers,
            body: &recipe.body,
            auth: None,
            secrets: &secret_names(context.headers),
            auth_repro: None,
            body_file: None,
        },
    )
}

/// `count` other messages, one after another, each signed when sent.
fn signed_others(count: u16, context: &ScriptContext<'_>) -> ScriptStep {
    let other = "@HOOKCHECK_OTHER@";
    let body = super::execute::other_message("hookcheck.fuzz.other", "other");
    let recipe = signing::recipe(None, other, body);
    let each = signed_request(&recipe, context, context.url(0))
        .replace(other, "msg_other_'\"$$\"'_'\"$i\"'");
    ScriptStep::Send(format!(
        "i=0; while [ \"$i\" -lt {count} ]; do i=$((i+1))\n{each} >/dev/null\ndone"
    ))
}

/// The extra headers as a repro line takes them.
fn extra_headers(context: &ScriptContext<'_>) -> impl Iterator<Item = (String, Vec<u8>)> {
    context
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
}

fn labels(deliveries: &[Delivery]) -> String {
    let labels: Vec<&str> = deliveries.iter().map(|d| d.label.as_str()).collect();
    labels.join(", ")
}

fn others(count: u16, context: &ScriptContext<'_>) -> ScriptStep {
    let session = "hookcheck-other-session".to_owned();
    let payload = PayloadBuilder::new(Status::Completed)
        .seed(0x07e5)
        .session_id(session.clone())
        .build();
    let body = payload.to_json_bytes();
    let mut headers = vec![("Content-Type".to_owned(), b"application/json".to_vec())];
    if let Some(auth) = context.auth {
        headers.push((
            auth.name().as_str().to_owned(),
            auth.expose_value().as_bytes().to_vec(),
        ));
    }
    headers.extend(extra_headers(context));
    let line = curl(&ReproRequest {
        method: "POST",
        url: context.url(0),
        headers: &headers,
        body: &body,
        auth: context.auth,
        secrets: &secret_names(context.headers),
        auth_repro: Some(&AuthRepro::Secret),
        body_file: None,
    });
    ScriptStep::Others {
        count: usize::from(count),
        line,
        session,
        together: false,
    }
}

/// The effect counts the invariants grade, printed after the settle time.
fn counts(script: Script, sequence: &Sequence, context: &ScriptContext<'_>) -> Script {
    let Some(EffectsSource::Url(template)) = context.effects.map(|e| &e.source) else {
        return script;
    };
    let mut script = script.then(ScriptStep::Sleep(context.settle));
    for slot in 0..sequence.slots() {
        let expects: Vec<Expect> = sequence
            .deliveries()
            .filter(|(_, d)| d.session == slot)
            .map(|(_, d)| d.expect)
            .collect();
        let expected = if expects.is_empty() {
            continue;
        } else if expects.iter().any(|e| e.is_valid()) {
            "1 if acknowledged"
        } else if expects.iter().all(|e| {
            matches!(
                e,
                Expect::BadAuth | Expect::Unprocessable | Expect::Unverified
            )
        }) {
            "0"
        } else {
            continue;
        };
        let url = single_quote(&template.replace(SESSION_PLACEHOLDER, &mark(slot)))
            .replace(&mark(slot), &variable(slot));
        let header = match context.effects.and_then(|e| e.header.as_ref()) {
            Some(h) => format!(" -H \"{}: $HOOKCHECK_EFFECTS_AUTH\"", h.name()),
            None => String::new(),
        };
        script = script.then(ScriptStep::Send(format!(
            "echo \"effects of $s{slot} (expected {expected}): $(curl -sS{header} {url})\""
        )));
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::model::{Body, Method};
    use crate::generate::AuthMutation;

    fn delivery(session: u16, credential: Credential, body: Vec<u8>) -> Delivery {
        Delivery {
            session,
            label: "valid/completed/as-sent".into(),
            expect: Expect::Valid,
            method: Method::Post,
            content_type: Some("application/json".into()),
            credential,
            observed: true,
            body: Body::from_bytes(body),
            replica: 0,
        }
    }

    #[test]
    fn scripts_hide_the_secret_parse_in_dash_and_splice_fresh_session_ids() {
        let auth: AuthHeader = "X-API-Key: hunter2-Secret".parse().unwrap();
        let small = br#"{"sessionId":"@SESSION@","status":"COMPLETED"}"#.to_vec();
        let mut large = br#"{"sessionId":"@SESSION@","pad":""#.to_vec();
        large.extend(vec![b'x'; 5000]);
        large.extend(br#""}"#);
        let sequence = Sequence {
            steps: vec![
                Step::Send(delivery(0, Credential::Configured, small.clone())),
                Step::Together(vec![
                    delivery(0, Credential::Configured, small.clone()),
                    delivery(1, Credential::Mutated(AuthMutation::Truncated), small),
                ]),
                Step::Pause { ms: 10 },
                Step::Others { count: 2 },
                Step::Send(delivery(2, Credential::Configured, large)),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let effects = EffectsProbe::url("http://127.0.0.1:1/effects/{sessionId}").unwrap();
        let context = ScriptContext {
            urls: &["http://127.0.0.1:1/hook".to_owned()],
            auth: Some(&auth),
            headers: &[(
                HeaderName::from_static("cookie"),
                HeaderValue::from_static("id=canary"),
            )],
            effects: Some(&effects),
            settle: Duration::from_millis(100),
            bodies: Some(dir.path()),
            signed: false,
        };
        let script = render(&sequence, &context, "case");
        assert!(!script.contains("hunter2"), "{script}");
        assert!(!script.contains("canary"), "{script}");
        assert!(
            script.contains(r#""cookie: $HOOKCHECK_HEADER_COOKIE""#),
            "{script}"
        );
        assert!(script.contains("${HOOKCHECK_AUTH%?}"), "{script}");
        assert!(script.contains(r#""sessionId":"'"$s0"'""#), "{script}");
        assert!(
            script.contains("sed \"s/@HOOKCHECK_SLOT_2@/$s2/g; s/@RUN@/$run/g\""),
            "{script}"
        );
        let written = std::fs::read(dir.path().join("case.step4-session2.bin")).unwrap();
        assert!(written.starts_with(br#"{"sessionId":"@HOOKCHECK_SLOT_2@""#));
        let parsed = std::process::Command::new("dash")
            .args(["-n", "-c", &script])
            .output()
            .unwrap();
        assert!(
            parsed.status.success(),
            "{script}\n{}",
            String::from_utf8_lossy(&parsed.stderr)
        );
    }

    #[test]
    fn each_copy_is_sent_to_the_replica_it_went_to() {
        let body = br#"{"sessionId":"@SESSION@"}"#.to_vec();
        let to = |replica| Delivery {
            replica,
            ..delivery(0, Credential::Configured, body.clone())
        };
        let sequence = Sequence {
            steps: vec![
                Step::Send(to(0)),
                Step::Together(vec![to(1), to(0)]),
                Step::Abandon(to(1)),
            ],
        };
        let urls = [
            "http://127.0.0.1:1/a".to_owned(),
            "http://127.0.0.1:2/b".to_owned(),
        ];
        let context = ScriptContext {
            urls: &urls,
            auth: None,
            headers: &[],
            effects: None,
            settle: Duration::ZERO,
            bodies: None,
            signed: false,
        };
        let script = render(&sequence, &context, "case");
        let sent: Vec<&str> = script
            .lines()
            .filter(|l| l.contains("curl"))
            .map(|l| if l.contains("/a'") { "a" } else { "b" })
            .collect();
        assert_eq!(sent, ["a", "b", "a", "b"], "{script}");
        assert!(
            script.contains("# the copies of each session go round robin over http://127.0.0.1:1/a http://127.0.0.1:2/b"),
            "{script}"
        );
    }
}
