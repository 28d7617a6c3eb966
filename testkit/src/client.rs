//! A plain HTTP client for tests, and many requests sent at once.

use std::future::Future;
use std::time::Duration;

/// A client that talks straight to 127.0.0.1 (no proxy), gives up after 10 s and follows
/// no redirect, so that a test sees exactly what the server answered.
pub fn client() -> reqwest::Client {
    hookcheck::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the test client builds")
}

/// The `{"count": N}` an effects endpoint answers for `url`.
pub async fn effect_count(client: &reqwest::Client, url: &str) -> u64 {
    let answer: serde_json::Value = client
        .get(url)
        .send()
        .await
        .expect("effects endpoint answers")
        .json()
        .await
        .expect("effects endpoint answers JSON");
    answer["count"].as_u64().expect("a count")
}

/// Runs every future on a task of its own, all at once, and returns their outputs in
/// order: concurrent on a multi-threaded runtime, as real senders are.
pub async fn join_spawned<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("task did not panic"));
    }
    outputs
}
