//! What the contract parser costs over a plain `serde_json::Value` parse of the same bytes:
//! the ratio is the figure BENCHMARKS.md reports, since absolute times on a shared machine
//! say little.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookcheck::spec::{Limits, PayloadBuilder, Status, parse_with};
use serde_json::{Value, json};

fn payloads() -> Vec<(&'static str, Vec<u8>)> {
    let typical = PayloadBuilder::new(Status::Completed).seed(1).build();
    let mut large = typical.to_value();
    let transactions: Vec<Value> = (0..2000)
        .map(|i| json!({"id": format!("txn-{i:06}"), "amount": "12.34", "currency": "USD"}))
        .collect();
    large["extractedData"]["transactions"] = Value::Array(transactions);
    vec![
        ("typical", typical.to_json_bytes()),
        ("large", serde_json::to_vec(&large).expect("serializes")),
    ]
}

fn parse(c: &mut Criterion) {
    let limits = Limits {
        max_body_bytes: 1024 * 1024,
        ..Limits::default()
    };
    for (name, body) in payloads() {
        let mut group = c.benchmark_group(format!("parse/{name}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("serde_json::Value", |b| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(&body)).expect("valid JSON"))
        });
        group.bench_function("hookcheck::spec::parse", |b| {
            b.iter(|| parse_with(black_box(&body), limits).expect("valid payload"))
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
