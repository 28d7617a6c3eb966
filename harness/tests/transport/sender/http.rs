//! Delivery over plain HTTP against wiremock and raw sockets: retries, backoff, timeouts,
//! redirects, headers, body caps.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use hookcheck_testkit::hostile::closed_port;
use hookcheck_testkit::wire::read_request;

use super::{body, fast, sender};
use hookcheck::sender::SenderConfig;
use hookcheck::transport::{BODY_PREFIX_LIMIT, Exchange, FailureClass};

fn url_of(server: &MockServer, path: &str) -> Url {
    Url::parse(&format!("{}{path}", server.uri())).unwrap()
}

#[tokio::test]
async fn retries_until_a_2xx_and_stops_there() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;

    let delivery = sender(fast().retries(5))
        .deliver(&url_of(&server, "/hook"), body())
        .await;

    assert!(delivery.delivered, "{delivery}");
    assert_eq!(delivery.attempts.len(), 3, "{delivery}");
    let codes: Vec<_> = delivery.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(202)]);
    assert_eq!(delivery.attempts[0].failure, Some(FailureClass::Status));
    assert!(delivery.attempts[2].delivered());
    assert_eq!(delivery.attempts[2].next_delay, None);
    assert_eq!(
        delivery.session_id.as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
}

#[tokio::test]
async fn stops_after_the_retry_count() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;

    let delivery = sender(fast().retries(2))
        .deliver(&url_of(&server, "/"), body())
        .await;

    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts.len(), 3);
    assert_eq!(delivery.max_attempts, 3);
    assert!(
        delivery
            .attempts
            .iter()
            .all(|a| a.failure == Some(FailureClass::Status))
    );
    assert_eq!(delivery.attempts.last().unwrap().next_delay, None);
    assert!(
        delivery.summary().starts_with("failed after 3 attempts"),
        "{}",
        delivery.summary()
    );
}

#[tokio::test]
async fn the_default_configuration_makes_at_most_four_attempts() {
    assert_eq!(SenderConfig::default().max_attempts(), 4);
    assert_eq!(
        SenderConfig::default().client.timeout,
        Duration::from_secs(30)
    );
    assert_eq!(SenderConfig::default().backoff_base, Duration::from_secs(5));
}

#[tokio::test]
async fn backoff_doubles_within_the_jitter_bounds() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let seen = Arc::clone(&arrivals);
    Mock::given(method("POST"))
        .respond_with(move |_: &Request| {
            seen.lock().unwrap().push(Instant::now());
            ResponseTemplate::new(500)
        })
        .mount(&server)
        .await;
    let base = Duration::from_millis(100);
    let config = fast().retries(3).backoff_base(base).jitter(0.2);

    let delivery = sender(config).deliver(&url_of(&server, "/"), body()).await;

    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 4, "{delivery}");
    // Scheduling noise on a loaded 2-core machine; the lower bound has none.
    let slack = Duration::from_millis(80);
    for retry in 1..=3u32 {
        let nominal = base * 2u32.pow(retry - 1);
        let (low, high) = (nominal.mul_f64(0.8), nominal.mul_f64(1.2));
        let planned = delivery.attempts[retry as usize - 1].next_delay.unwrap();
        assert!(
            planned >= low && planned <= high,
            "retry {retry}: planned {planned:?}"
        );
        let gap = arrivals[retry as usize] - arrivals[retry as usize - 1];
        assert!(
            gap >= low && gap <= high + slack,
            "retry {retry}: gap {gap:?} outside {low:?}..{high:?}+slack"
        );
    }
}

#[tokio::test]
async fn a_slow_response_counts_as_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let config = fast().retries(1).timeout(Duration::from_millis(300));

    let delivery = sender(config).deliver(&url_of(&server, "/"), body()).await;

    assert!(
        !delivery.delivered,
        "a 2xx after the timeout is a failure: {delivery}"
    );
    assert_eq!(delivery.attempts.len(), 2);
    for attempt in &delivery.attempts {
        assert_eq!(attempt.failure, Some(FailureClass::Timeout));
        assert_eq!(attempt.status_code, None);
        assert!(attempt.duration < Duration::from_millis(1000), "{attempt}");
    }
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/hook"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/elsewhere"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let delivery = sender(fast().retries(1))
        .deliver(&url_of(&server, "/hook"), body())
        .await;

    assert!(!delivery.delivered);
    for attempt in &delivery.attempts {
        assert_eq!(attempt.failure, Some(FailureClass::Redirect));
        assert_eq!(attempt.status_code, Some(302));
        assert!(attempt.message.contains("/elsewhere"), "{attempt}");
    }
}

#[tokio::test]
async fn a_4xx_is_retried_like_any_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("{\"error\":\"bad\"}"))
        .expect(3)
        .mount(&server)
        .await;

    let delivery = sender(fast().retries(2))
        .deliver(&url_of(&server, "/"), body())
        .await;

    assert_eq!(delivery.attempts.len(), 3);
    assert_eq!(delivery.attempts[0].failure, Some(FailureClass::Status));
    assert!(
        delivery.attempts[0].message.contains("400"),
        "{}",
        delivery.attempts[0]
    );
    assert!(
        delivery.attempts[0].message.contains("bad"),
        "the body is quoted: {}",
        delivery.attempts[0]
    );
}

#[tokio::test]
async fn every_attempt_carries_the_auth_header_and_a_json_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let config = fast()
        .retries(2)
        .auth("X-API-Key: s3cret-value".parse().unwrap());

    let sent = body();

    let delivery = sender(config)
        .deliver(&url_of(&server, "/"), sent.clone())
        .await;

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.headers.get("x-api-key").unwrap(), "s3cret-value");
        assert_eq!(
            request.headers.get("content-type").unwrap(),
            "application/json"
        );
        assert_eq!(request.body, sent.to_vec());
        hookcheck::spec::parse(&request.body).expect("the body is a valid event");
    }
    let printed = format!("{delivery}\n{}", serde_json::to_string(&delivery).unwrap());
    assert!(!printed.contains("s3cret-value"), "{printed}");
}

#[tokio::test]
async fn a_response_that_echoes_the_secret_is_redacted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("wrong key s3cret-value, go away"))
        .mount(&server)
        .await;
    let config = fast()
        .retries(0)
        .auth("X-API-Key: s3cret-value".parse().unwrap());

    let delivery = sender(config).deliver(&url_of(&server, "/"), body()).await;

    let message = &delivery.attempts[0].message;
    assert!(
        message.contains("go away") && message.contains("<redacted>"),
        "{message}"
    );
    assert!(!message.contains("s3cret-value"), "{message}");
}

#[tokio::test]
async fn the_json_log_reads_back_and_uses_camel_case_milliseconds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .mount(&server)
        .await;

    let delivery = sender(fast()).deliver(&url_of(&server, "/"), body()).await;

    let json = serde_json::to_value(&delivery).unwrap();
    let first = &json["attempts"][0];
    for key in [
        "number",
        "startOffsetMs",
        "durationMs",
        "statusCode",
        "failure",
        "message",
        "nextDelayMs",
    ] {
        assert!(first.get(key).is_some(), "attempt lacks {key}: {first}");
    }
    assert_eq!(first["failure"], "status");
    assert_eq!(first["nextDelayMs"], 10);
    assert_eq!(json["attempts"][1]["failure"], serde_json::Value::Null);
    assert_eq!(json["delivered"], true);
    assert!(json["totalDurationMs"].is_u64());
    let back: hookcheck::sender::Delivery = serde_json::from_value(json).unwrap();
    assert_eq!(back.attempts.len(), 2);
    assert_eq!(back.session_id, delivery.session_id);
}

#[tokio::test]
async fn a_refused_connection_is_the_connect_class() {
    let url = Url::parse(&format!("http://{}/hook", closed_port())).unwrap();

    let delivery = sender(fast().retries(1)).deliver(&url, body()).await;

    assert!(!delivery.delivered);
    assert_eq!(delivery.attempts.len(), 2);
    for attempt in &delivery.attempts {
        assert_eq!(attempt.failure, Some(FailureClass::Connect), "{attempt}");
        assert!(
            attempt.message.to_lowercase().contains("refused"),
            "{attempt}"
        );
    }
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out_within_the_bound() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // Holds every connection open, reading nothing, until the test ends.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let url = Url::parse(&format!("http://{address}/")).unwrap();
    let bound = Duration::from_millis(400);

    let started = Instant::now();
    let delivery = sender(fast().retries(0).timeout(bound))
        .deliver(&url, body())
        .await;

    silent.abort();
    assert_eq!(
        delivery.attempts[0].failure,
        Some(FailureClass::Timeout),
        "{delivery}"
    );
    assert!(delivery.attempts[0].duration >= bound);
    assert!(
        started.elapsed() < bound + Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_2xx_whose_body_arrives_after_the_timeout_is_a_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let late = tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        if read_request(&mut socket).await.is_err() {
            return;
        }
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nok";
        if socket.write_all(head).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let _ = socket.write_all(b"!!").await;
    });
    let url = Url::parse(&format!("http://{address}/")).unwrap();
    let config = fast().retries(0).timeout(Duration::from_millis(300));

    let delivery = sender(config).deliver(&url, body()).await;

    late.abort();
    assert!(
        !delivery.delivered,
        "SPEC [D-6]: the complete response is late: {delivery}"
    );
    assert_eq!(delivery.attempts[0].failure, Some(FailureClass::Timeout));
}

#[tokio::test]
async fn a_huge_body_is_kept_as_a_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 300 * 1024]))
        .mount(&server)
        .await;

    let exchanged = sender(fast())
        .exchange(Exchange::post(url_of(&server, "/"), body()))
        .await;

    let response = exchanged.outcome.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body.len(), BODY_PREFIX_LIMIT);
    assert!(response.body_truncated);
}

#[tokio::test]
async fn an_endless_response_neither_hangs_nor_fills_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let endless = tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        if read_request(&mut socket).await.is_err() {
            return;
        }
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
        if socket.write_all(head).await.is_err() {
            return;
        }
        let chunk = format!("4000\r\n{}\r\n", "y".repeat(0x4000));
        // 64 MiB at most, so the server stops by itself if the client never does.
        for _ in 0..4096 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let url = Url::parse(&format!("http://{address}/")).unwrap();
    let timeout = Duration::from_secs(10);
    let exchange = Exchange {
        timeout: Some(timeout),
        ..Exchange::post(url, body())
    };

    let exchanged = sender(fast()).exchange(exchange).await;

    endless.abort();
    let response = exchanged.outcome.expect("the status arrived");
    assert!(response.body_truncated);
    assert_eq!(response.body.len(), BODY_PREFIX_LIMIT);
    assert!(
        exchanged.duration < timeout / 2,
        "read stopped at the cap: {:?}",
        exchanged.duration
    );
}

#[tokio::test]
async fn an_exchange_sends_only_the_headers_it_is_given() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(405))
        .mount(&server)
        .await;
    let sender = sender(fast().auth("X-API-Key: s3cret-value".parse().unwrap()));
    let mut exchange = Exchange::post(url_of(&server, "/"), "not json");
    exchange.method = reqwest::Method::PUT;
    exchange
        .headers
        .append("x-api-key", "first".parse().unwrap());
    exchange
        .headers
        .append("x-api-key", "second".parse().unwrap());

    let exchanged = sender.exchange(exchange).await;

    assert_eq!(exchanged.outcome.unwrap().status, 405);
    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    assert!(request.headers.get("content-type").is_none());
    let keys: Vec<_> = request.headers.get_all("x-api-key").iter().collect();
    assert_eq!(keys, ["first", "second"]);
    assert_eq!(request.body, b"not json");
}
