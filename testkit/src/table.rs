//! A table of slow cases (a defect graded, a receiver fuzzed), run a few at a time, with
//! every problem of every case reported at once.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Runs `case` on every one of `cases`, `at_once` at a time, and fails with every problem
/// of every case, or when the whole table took `bound` or longer. A case answers its name
/// and its problems (none: it passed); how long each took is printed, `done` saying what
/// was done to it (`graded`, `fuzzed`). Each case runs on a thread of its own with a
/// runtime of its own (two workers), receiver included, so that one case's work cannot
/// hold up another's timers.
pub fn run_table<T, Fut>(
    cases: Vec<T>,
    at_once: usize,
    bound: Duration,
    done: &str,
    case: impl Fn(T) -> Fut + Sync,
) where
    T: Send,
    Fut: Future<Output = (String, Vec<String>)>,
{
    let started = Instant::now();
    let count = cases.len();
    let queue = Mutex::new(cases.into_iter());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..at_once {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime");
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some(next) = next else { break };
                    let began = Instant::now();
                    let (name, problems) = runtime.block_on(case(next));
                    results
                        .lock()
                        .unwrap()
                        .push((name, began.elapsed(), problems));
                }
            });
        }
    });
    let total = started.elapsed();
    let results = results.into_inner().unwrap();
    assert_eq!(results.len(), count, "every case ran");
    let mut failures = Vec::new();
    for (name, took, problems) in &results {
        eprintln!("{name}: {done} in {:.1} s", took.as_secs_f64());
        failures.extend(problems.iter().map(|p| format!("{name}: {p}")));
    }
    eprintln!("table: {:.1} s in all", total.as_secs_f64());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(total < bound, "took {total:?}");
}
