//! The payloads of `hookcheck fuzz --profile standard-webhooks`: `{type, timestamp, data}`
//! JSON ([SW-1]) of many event types, with nested, Unicode, escaped and numeric data, written
//! in many byte-level forms (indentation, line breaks, spaces, key order, `\/` and `\u00e9`
//! escapes, a trailing newline). Every body is valid and is signed as written: a receiver
//! must verify the bytes as they arrived ([SW-7]), so one that parses and serialises the
//! body again before verifying refuses every form but the compact one.
//!
//! Each body carries [`RUN_MARK`] in its data: every execution of a sequence sends a new
//! event, while the copies of one message stay byte for byte the same.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::model::RUN_MARK;

/// A drawn body, with what it is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBody {
    /// `valid/<type>/<form>`: `valid/invoice.paid/pretty+escaped-slash`.
    pub label: String,
    /// The body as sent.
    pub body: Vec<u8>,
}

/// Event types, full-stop delimited ([SW-1]).
const EVENT_TYPES: [&str; 8] = [
    "invoice.paid",
    "customer.created",
    "payment_intent.succeeded",
    "user.deleted",
    "subscription.renewed.v2",
    "order.line_item.updated",
    "hookcheck.fuzz",
    "a",
];

/// Keys of data members.
const KEYS: [&str; 12] = [
    "id", "amount", "currency", "customer", "items", "note", "meta", "email", "tags", "count",
    "active", "ratio",
];

/// Texts: plain, accented, other scripts, emoji, quotes and backslashes, control
/// characters, slashes, a line separator.
const TEXTS: [&str; 10] = [
    "plain",
    "café crème",
    "日本語のテキスト",
    "emoji 🎉 party",
    "quote \" and backslash \\",
    "line\nbreak\ttab",
    "https://example.com/a/b?c=d",
    "</script>",
    "sep\u{2028}arator",
    "",
];

/// Numbers as written: a re-serialiser writes most of them differently.
const NUMBERS: [&str; 9] = [
    "0",
    "-7",
    "1.5",
    "2.50",
    "1e3",
    "-0.25",
    "3.0",
    "12345678901234567890",
    "1E-7",
];

/// A JSON value as it will be written: numbers keep their text, objects their order.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

crate::closed::closed_enum! {
    /// One byte-level way of writing a body; a body is written with none (compact, keys
    /// sorted, as a JSON library writes it) or several.
    enum Form as "body form" {
        /// Indented, one member a line.
        Pretty => "pretty",
        /// `\r\n` line breaks (with `pretty`), or a `\r\n` after the body.
        Crlf => "crlf",
        /// A space after every `:` and `,`.
        Spaced => "spaced",
        /// Members in the sender's order (`type`, `timestamp`, `data`), not sorted.
        SenderOrder => "sender-order",
        /// `/` written `\/`.
        EscapedSlash => "escaped-slash",
        /// Every character past ASCII written `\uXXXX`.
        EscapedUnicode => "escaped-unicode",
        /// A newline after the body.
        TrailingNewline => "trailing-newline",
    }
}

/// The share of bodies written compact, keys sorted.
const COMPACT: f64 = 0.3;

/// Draws one body.
pub fn draw(rng: &mut StdRng) -> SignedBody {
    let event_type = *EVENT_TYPES.choose(rng).expect("not empty");
    let forms: Vec<Form> = match rng.random_bool(COMPACT) {
        true => Vec::new(),
        false => {
            let forms: Vec<Form> = Form::ALL
                .into_iter()
                .filter(|_| rng.random_bool(0.35))
                .collect();
            match forms.is_empty() {
                true => vec![*Form::ALL.choose(rng).expect("not empty")],
                false => forms,
            }
        }
    };
    let body = write(&message(rng, event_type, &forms), &forms);
    let form = match forms.is_empty() {
        true => "compact".to_owned(),
        false => forms
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("+"),
    };
    SignedBody {
        label: format!("valid/{event_type}/{form}"),
        body,
    }
}

/// The message `{type, timestamp, data}`, its data drawn; a form that escapes something
/// gets a member holding it, so that the form shows in the bytes.
fn message(rng: &mut StdRng, event_type: &str, forms: &[Form]) -> Node {
    let mut data = vec![("run".to_owned(), Node::Text(RUN_MARK.to_owned()))];
    for _ in 0..rng.random_range(0..=5) {
        let key = *KEYS.choose(rng).expect("not empty");
        if data.iter().all(|(k, _)| k != key) {
            data.push((key.to_owned(), value(rng, 0)));
        }
    }
    if forms.contains(&Form::EscapedSlash) {
        data.push(("href".into(), Node::Text("/v1/events/1".into())));
    }
    if forms.contains(&Form::EscapedUnicode) {
        data.push(("name".into(), Node::Text("José Müller".into())));
    }
    let timestamp = crate::spec::format_timestamp(time::OffsetDateTime::now_utc());
    Node::Object(vec![
        ("type".into(), Node::Text(event_type.into())),
        ("timestamp".into(), Node::Text(timestamp)),
        ("data".into(), Node::Object(data)),
    ])
}

/// A drawn value, nested at most 3 deep.
fn value(rng: &mut StdRng, depth: u8) -> Node {
    let pick = |rng: &mut StdRng, list: &[&str]| list.choose(rng).expect("not empty").to_string();
    match rng.random_range(0..if depth < 3 { 7 } else { 4 }) {
        0 => Node::Null,
        1 => Node::Bool(rng.random()),
        2 => Node::Number(pick(rng, &NUMBERS)),
        3 => Node::Text(pick(rng, &TEXTS)),
        4 => Node::Number(rng.random_range(-1_000_000i64..1_000_000).to_string()),
        5 => Node::List(
            (0..rng.random_range(0..=3))
                .map(|_| value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let members = (0..rng.random_range(0..=3))
                .map(|n| (format!("{}_{n}", pick(rng, &KEYS)), value(rng, depth + 1)))
                .collect();
            Node::Object(members)
        }
    }
}

/// `node` written in `forms`.
fn write(node: &Node, forms: &[Form]) -> Vec<u8> {
    let mut out = String::new();
    Writer { forms }.node(&mut out, node, 0);
    if forms.contains(&Form::TrailingNewline) {
        out.push_str(if forms.contains(&Form::Crlf) {
            "\r\n"
        } else {
            "\n"
        });
    } else if forms.contains(&Form::Crlf) && !forms.contains(&Form::Pretty) {
        out.push_str("\r\n");
    }
    out.into_bytes()
}

struct Writer<'a> {
    forms: &'a [Form],
}

impl Writer<'_> {
    fn has(&self, form: Form) -> bool {
        self.forms.contains(&form)
    }

    fn node(&self, out: &mut String, node: &Node, depth: usize) {
        match node {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(text) => out.push_str(text),
            Node::Text(text) => self.text(out, text),
            Node::List(items) => {
                let items: Vec<(Option<&str>, &Node)> = items.iter().map(|n| (None, n)).collect();
                self.members(out, ('[', ']'), &items, depth);
            }
            Node::Object(members) => {
                let mut members: Vec<(Option<&str>, &Node)> =
                    members.iter().map(|(k, v)| (Some(k.as_str()), v)).collect();
                if !self.has(Form::SenderOrder) {
                    members.sort_by_key(|(k, _)| *k);
                }
                self.members(out, ('{', '}'), &members, depth);
            }
        }
    }

    /// The members of a list (no keys) or an object, between `brackets`.
    fn members(
        &self,
        out: &mut String,
        brackets: (char, char),
        members: &[(Option<&str>, &Node)],
        depth: usize,
    ) {
        out.push(brackets.0);
        let newline = if self.has(Form::Crlf) { "\r\n" } else { "\n" };
        let pretty = self.has(Form::Pretty) && !members.is_empty();
        for (n, (key, value)) in members.iter().enumerate() {
            if n > 0 {
                out.push(',');
                if self.has(Form::Spaced) && !pretty {
                    out.push(' ');
                }
            }
            if pretty {
                out.push_str(newline);
                out.push_str(&"  ".repeat(depth + 1));
            }
            if let Some(key) = key {
                self.text(out, key);
                out.push(':');
                if self.has(Form::Spaced) || pretty {
                    out.push(' ');
                }
            }
            self.node(out, value, depth + 1);
        }
        if pretty {
            out.push_str(newline);
            out.push_str(&"  ".repeat(depth));
        }
        out.push(brackets.1);
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t` or `\u00XX`;
    /// `/` and characters past ASCII as the forms say.
    fn text(&self, out: &mut String, text: &str) {
        out.push('"');
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '/' if self.has(Form::EscapedSlash) => out.push_str("\\/"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c if !c.is_ascii() && self.has(Form::EscapedUnicode) => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_body_is_a_message_and_every_form_differs_from_its_compact_reserialisation() {
        let mut rng = StdRng::seed_from_u64(11);
        let mut forms = std::collections::BTreeSet::new();
        let mut types = std::collections::BTreeSet::new();
        for _ in 0..500 {
            let drawn = draw(&mut rng);
            let value: serde_json::Value = serde_json::from_slice(&drawn.body)
                .unwrap_or_else(|e| panic!("{}: {e}", drawn.label));
            assert!(value["type"].is_string(), "{}", drawn.label);
            assert!(value["timestamp"].is_string(), "{}", drawn.label);
            assert_eq!(value["data"]["run"], RUN_MARK, "{}", drawn.label);
            let form = drawn.label.rsplit('/').next().unwrap().to_owned();
            let again = serde_json::to_vec(&value).unwrap();
            if form != "compact" {
                assert_ne!(again, drawn.body, "{}", drawn.label);
            }
            types.insert(value["type"].as_str().unwrap().to_owned());
            forms.extend(form.split('+').map(str::to_owned));
        }
        assert_eq!(types.len(), EVENT_TYPES.len(), "{types:?}");
        for form in Form::ALL {
            assert!(forms.contains(form.as_str()), "{forms:?}");
        }
        assert!(forms.contains("compact"), "{forms:?}");
    }

    #[test]
    fn escapes_are_written_as_the_form_says() {
        let node = Node::Text("é/🎉".into());
        let escaped = write(&node, &[Form::EscapedSlash, Form::EscapedUnicode]);
        assert_eq!(escaped, br#""\u00e9\/\ud83c\udf89""#);
        assert_eq!(write(&node, &[]), "\"é/🎉\"".as_bytes());
    }
}
