//! The contract as code (`hookcheck::spec`), black-box: the parser, the builder and the
//! wire form agree with CONTRACT.md §1 and each other (`wire`), every refusal is graded as
//! the contract says (`grading`), and the payload fixtures, the JSON Schema and the parser
//! tell one story (`fixtures`).

use proptest::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use hookcheck::spec::{
    Grade, Limits, ParseError, Payload, PayloadBuilder, Status, parse, parse_with,
};

mod fixtures;
mod grading;
mod wire;

/// A payload as the model sender would send it, as a JSON value to edit.
fn valid_value(status: Status) -> Value {
    PayloadBuilder::new(status)
        .seed(11)
        .completed_at(datetime!(2025-03-24 12:05:00 UTC))
        .build()
        .to_value()
}

fn body_of(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value serializes")
}

fn parse_value(value: &Value) -> Result<Payload, ParseError> {
    parse(&body_of(value))
}

/// A valid COMPLETED payload with one field replaced, or removed when `None`.
fn edited(field: &str, replacement: Option<Value>) -> Value {
    let mut value = valid_value(Status::Completed);
    let object = value.as_object_mut().expect("a payload is an object");
    match replacement {
        Some(replacement) => object.insert(field.to_owned(), replacement),
        None => object.remove(field),
    };
    value
}
