//! The reference receiver's request handling, in process through its axum app, with
//! arbitrary methods, paths, headers and bodies: it never panics and never answers 5xx; a
//! refused delivery and an unprocessable one (SPEC [D-12]) never cause a side effect; and
//! every valid delivery is answered 2xx and its session has exactly one effect, however
//! often it is repeated.

#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use hookcheck::auth::AuthHeader;
use hookcheck::generate::{
    AuthMutation, InputGrade, InvalidPayload, MutatedHeader, NameCase, ValidPayload,
};
use hookcheck::receiver::{AppState, ReceiverConfig, WEBHOOK_PATH, app};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const AUTH_NAME: &str = "X-Api-Key";
const SECRET: &str = "fuzz-s3cret";

#[derive(Debug, Arbitrary)]
enum Method {
    Post,
    Get,
    Put,
    Head,
    Options,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Path {
    Webhook,
    Effects(String),
    Health,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum ContentType {
    Json,
    JsonCharset,
    None,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Auth {
    Right(NameCase),
    Wrong(AuthMutation),
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum Payload {
    Valid(ValidPayload),
    Invalid(InvalidPayload),
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Delivery {
    method: Method,
    path: Path,
    content_type: ContentType,
    auth: Auth,
    headers: Vec<(String, Vec<u8>)>,
    payload: Payload,
    repeats: u8,
}

#[derive(Debug, Arbitrary)]
struct Input {
    with_auth: bool,
    deliveries: Vec<Delivery>,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

impl Delivery {
    /// Whether SPEC §2 calls it a valid delivery: POST to the webhook, a JSON content type,
    /// the right auth header (when one is configured), a valid payload.
    fn is_valid(&self, with_auth: bool) -> bool {
        matches!(self.method, Method::Post)
            && matches!(self.path, Path::Webhook)
            && matches!(
                self.content_type,
                ContentType::Json | ContentType::JsonCharset
            )
            && (!with_auth || matches!(self.auth, Auth::Right(_)))
            && matches!(self.payload, Payload::Valid(_))
    }

    /// The session the body names, and whether the body is unprocessable.
    fn session(&self) -> (Option<String>, bool) {
        match &self.payload {
            Payload::Valid(valid) => (Some(valid.session_id()), false),
            Payload::Invalid(invalid) => (
                invalid.observed_session(),
                invalid.grade() == InputGrade::Unprocessable,
            ),
            Payload::Raw(_) => (None, false),
        }
    }

    fn body(&self) -> Vec<u8> {
        match &self.payload {
            Payload::Valid(valid) => valid.to_bytes(),
            Payload::Invalid(invalid) => invalid.to_bytes(),
            Payload::Raw(bytes) => bytes.clone(),
        }
    }

    fn request(&self, with_auth: bool) -> Option<Request<Body>> {
        let method = match &self.method {
            Method::Post => "POST",
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Other(other) => other.as_str(),
        };
        let path = match &self.path {
            Path::Webhook => WEBHOOK_PATH.to_owned(),
            Path::Effects(id) => format!("/_test/effects/{id}"),
            Path::Health => "/healthz".to_owned(),
            Path::Other(other) => format!("/{other}"),
        };
        let mut builder = Request::builder().method(method).uri(path);
        match &self.content_type {
            ContentType::Json => builder = builder.header("content-type", "application/json"),
            ContentType::JsonCharset => {
                builder = builder.header("content-type", "application/json; charset=utf-8");
            }
            ContentType::None => {}
            ContentType::Other(other) => builder = builder.header("content-type", other.as_str()),
        }
        if with_auth {
            builder = match &self.auth {
                Auth::Right(case) => builder.header(case.spell(AUTH_NAME), SECRET),
                Auth::Wrong(mutation) => match mutation.apply(SECRET.as_bytes()) {
                    Ok(MutatedHeader::Value { value, .. }) => builder.header(AUTH_NAME, value),
                    _ => builder,
                },
                Auth::Raw(value) => builder.header(AUTH_NAME, value.as_slice()),
            };
        }
        for (name, value) in self.headers.iter().take(8) {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) else {
                continue;
            };
            // Framing and the two headers the delivery is graded on are the ones above.
            let graded = ["content-type", "content-length", "transfer-encoding"];
            if graded.contains(&name.as_str()) || name.as_str().eq_ignore_ascii_case(AUTH_NAME) {
                continue;
            }
            builder = builder.header(name, value);
        }
        builder.body(Body::from(self.body())).ok()
    }
}

async fn effects(state: &AppState, session: &str) -> u64 {
    state
        .effect_count(session)
        .await
        .expect("the store answers")
}

async fn run(input: Input) {
    let mut config = ReceiverConfig::default();
    if input.with_auth {
        config = config.auth(AuthHeader::new(AUTH_NAME, SECRET).expect("a valid header"));
    }
    let state = AppState::new(&config).expect("an in-memory store opens");
    let router = app(state.clone());
    let mut delivered = BTreeSet::new();
    for delivery in input.deliveries.iter().take(6) {
        let valid = delivery.is_valid(input.with_auth);
        let (session, unprocessable) = delivery.session();
        for _ in 0..=delivery.repeats % 3 {
            let before = match &session {
                Some(session) => effects(&state, session).await,
                None => 0,
            };
            let Some(request) = delivery.request(input.with_auth) else {
                return;
            };
            let response = router.clone().oneshot(request).await.expect("infallible");
            let code = response.status();
            assert!(!code.is_server_error(), "{code} for {delivery:?}");
            if valid {
                assert!(
                    code.is_success(),
                    "{code} for a valid delivery {delivery:?}"
                );
                delivered.insert(session.clone().expect("a valid payload names its session"));
            }
            if let Some(session) = &session {
                let after = effects(&state, session).await;
                if !code.is_success() || unprocessable {
                    assert_eq!(after, before, "{code}: an effect for {delivery:?}");
                }
                assert!(after <= 1, "{after} effects for session {session:?}");
            }
        }
    }
    for session in delivered {
        assert_eq!(effects(&state, &session).await, 1, "session {session:?}");
    }
}

fuzz_target!(|input: Input| {
    runtime().block_on(run(input));
});
