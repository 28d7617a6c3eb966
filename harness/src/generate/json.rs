//! A JSON tree the generators write themselves, so that the bytes on the wire vary in ways
//! `serde_json` never writes: every string escaped differently (`\u` escapes, surrogate
//! pairs for astral characters, an escaped solidus), whitespace between tokens, numbers
//! as given.

use arbitrary::{Arbitrary, Result, Unstructured};

/// The deepest nesting the parser accepts (the top-level object counts as 1); see
/// [`Limits::default`](crate::spec::Limits).
pub const MAX_VALID_DEPTH: usize = 32;
/// The most times a [`JsonValue::Repeat`] repeats its item.
pub const MAX_REPEAT: u16 = 2048;
/// The most bytes one [`JsonValue::Repeat`] writes (compact), so that a little input never
/// builds a body far past [`MAX_VALID_BYTES`](super::MAX_VALID_BYTES).
pub const MAX_REPEAT_BYTES: usize = 256 * 1024;

crate::closed::closed_enum! {
    /// How a string's characters are written.
    #[derive(arbitrary::Arbitrary)]
    pub enum Escaping as "escaping" {
        /// Only what JSON requires: `"`, `\` and control characters.
        Minimal => "minimal",
        /// Every non-ASCII character as `\uXXXX`, astral ones as surrogate pairs.
        AsciiOnly => "ascii-only",
        /// Every character as `\uXXXX`.
        Everything => "everything",
        /// Minimal, and `/` as `\/`.
        Solidus => "solidus",
    }
}

crate::closed::closed_enum! {
    /// Whitespace between tokens.
    #[derive(arbitrary::Arbitrary)]
    pub enum Spacing as "spacing" {
        /// None.
        Compact => "compact",
        /// One space after `:` and `,`.
        Spaced => "spaced",
        /// Newlines and two-space indentation.
        Pretty => "pretty",
    }
}

crate::closed::closed_enum! {
    /// A kind of text appended to a generated string, so that every kind is reached.
    #[derive(arbitrary::Arbitrary)]
    pub enum Flavour as "flavour" {
        /// Nothing added.
        Plain => "plain",
        /// Characters outside the Basic Multilingual Plane.
        Astral => "astral",
        /// Control characters, which JSON must escape.
        Controls => "controls",
        /// Quotes, backslashes and a solidus.
        Punctuation => "punctuation",
        /// Zero-width joiners and right-to-left text.
        Joiners => "joiners",
    }
}

impl Flavour {
    const fn sample(self) -> &'static str {
        match self {
            Flavour::Plain => "",
            Flavour::Astral => "🚀𝄞𠜎🏳️‍🌈",
            Flavour::Controls => "\u{0}\u{7}\n\t\r\u{1f}\u{7f}",
            Flavour::Punctuation => "\"quoted\" \\ back/slash",
            Flavour::Joiners => "👩\u{200d}💻 \u{202e}مرحبا\u{202c}",
        }
    }
}

/// A string and how it is escaped on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub struct JsonText {
    text: String,
    flavour: Flavour,
    escaping: Escaping,
}

impl JsonText {
    /// Plain text, escaped minimally.
    pub fn plain(text: impl Into<String>) -> Self {
        JsonText {
            text: text.into(),
            flavour: Flavour::Plain,
            escaping: Escaping::Minimal,
        }
    }

    /// The same text with another escaping.
    pub fn escaped(mut self, escaping: Escaping) -> Self {
        self.escaping = escaping;
        self
    }

    /// The text a parser reads back.
    pub fn text(&self) -> String {
        format!("{}{}", self.text, self.flavour.sample())
    }

    /// The flavour appended to it.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// How it is escaped.
    pub fn escaping(&self) -> Escaping {
        self.escaping
    }
}

/// A JSON value. [`JsonValue::Raw`] is written as given (numbers in a chosen form, and the
/// departures of [`Mutation`](super::Mutation)); it is never generated.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite number with a fraction.
    Float(f64),
    /// A string.
    Text(JsonText),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object; keys are distinct.
    Object(Vec<(JsonText, JsonValue)>),
    /// An array of one item repeated: a big value from a little input.
    Repeat { item: Box<JsonValue>, times: u16 },
    /// A value wrapped in `levels` single-element arrays: a deep value.
    Nest { levels: u8, inner: Box<JsonValue> },
    /// Bytes written as they are.
    Raw(Vec<u8>),
}

impl JsonValue {
    /// A value nesting at most `depth` levels of arrays and objects (0: a scalar).
    pub fn arbitrary_within(u: &mut Unstructured<'_>, depth: usize) -> Result<Self> {
        let choices = if depth == 0 { 5 } else { 9 };
        Ok(match u.choose_index(choices)? {
            0 => JsonValue::Null,
            1 => JsonValue::Bool(u.arbitrary()?),
            2 => JsonValue::Int(u.arbitrary()?),
            3 => JsonValue::Float(finite(u.arbitrary()?)),
            4 => JsonValue::Text(u.arbitrary()?),
            5 => {
                let mut items = Vec::new();
                u.arbitrary_loop(None, Some(8), |u| {
                    items.push(JsonValue::arbitrary_within(u, depth - 1)?);
                    Ok(std::ops::ControlFlow::Continue(()))
                })?;
                JsonValue::Array(items)
            }
            6 => JsonValue::Object(arbitrary_members(u, depth - 1)?),
            7 => {
                let item = JsonValue::arbitrary_within(u, (depth - 1).min(1))?;
                let mut writer = Writer::new(Spacing::Compact);
                writer.value(&item);
                let fits = MAX_REPEAT_BYTES / (writer.finish().len() + 1);
                let most = MAX_REPEAT.min(u16::try_from(fits).unwrap_or(u16::MAX));
                JsonValue::Repeat {
                    item: Box::new(item),
                    times: u.int_in_range(0..=most)?,
                }
            }
            _ => {
                let levels = u.int_in_range(1..=depth)?;
                JsonValue::Nest {
                    levels: u8::try_from(levels).unwrap_or(u8::MAX),
                    inner: Box::new(JsonValue::arbitrary_within(u, depth - levels)?),
                }
            }
        })
    }

    /// How deep it nests: 0 for a scalar, 1 for a flat array or object.
    pub fn depth(&self) -> usize {
        match self {
            JsonValue::Array(items) => 1 + items.iter().map(JsonValue::depth).max().unwrap_or(0),
            JsonValue::Object(members) => {
                1 + members.iter().map(|(_, v)| v.depth()).max().unwrap_or(0)
            }
            JsonValue::Repeat { item, .. } => 1 + item.depth(),
            JsonValue::Nest { levels, inner } => usize::from(*levels) + inner.depth(),
            _ => 0,
        }
    }

    /// The value with every [`JsonValue::Repeat`] cut to one item, to fit a size budget.
    pub fn shrink(&mut self) {
        match self {
            JsonValue::Array(items) => items.iter_mut().for_each(JsonValue::shrink),
            JsonValue::Object(members) => members.iter_mut().for_each(|(_, v)| v.shrink()),
            JsonValue::Repeat { item, times } => {
                *times = (*times).min(1);
                item.shrink();
            }
            JsonValue::Nest { inner, .. } => inner.shrink(),
            _ => {}
        }
    }
}

/// Object members with distinct keys (a later copy of a key is dropped).
pub fn arbitrary_members(
    u: &mut Unstructured<'_>,
    depth: usize,
) -> Result<Vec<(JsonText, JsonValue)>> {
    let mut members: Vec<(JsonText, JsonValue)> = Vec::new();
    u.arbitrary_loop(None, Some(8), |u| {
        let key: JsonText = u.arbitrary()?;
        let value = JsonValue::arbitrary_within(u, depth)?;
        if !members.iter().any(|(k, _)| k.text() == key.text()) {
            members.push((key, value));
        }
        Ok(std::ops::ControlFlow::Continue(()))
    })?;
    Ok(members)
}

/// A finite float: NaN and the infinities have no JSON form.
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.5 }
}

/// Writes JSON with a chosen [`Spacing`].
pub struct Writer {
    out: Vec<u8>,
    spacing: Spacing,
    indent: usize,
}

impl Writer {
    /// An empty writer.
    pub fn new(spacing: Spacing) -> Self {
        Writer {
            out: Vec::new(),
            spacing,
            indent: 0,
        }
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    /// Writes one value.
    pub fn value(&mut self, value: &JsonValue) {
        match value {
            JsonValue::Null => self.out.extend_from_slice(b"null"),
            JsonValue::Bool(b) => self
                .out
                .extend_from_slice(if *b { b"true" } else { b"false" }),
            JsonValue::Int(i) => self.out.extend_from_slice(i.to_string().as_bytes()),
            JsonValue::Float(x) => self.out.extend_from_slice(float_text(*x).as_bytes()),
            JsonValue::Text(text) => self.text(text),
            JsonValue::Array(items) => self.array(items.iter()),
            JsonValue::Object(members) => self.object(members.iter().map(|(k, v)| (k, v))),
            JsonValue::Repeat { item, times } => {
                self.array(std::iter::repeat_n(item.as_ref(), usize::from(*times)));
            }
            JsonValue::Nest { levels, inner } => {
                self.out
                    .extend(std::iter::repeat_n(b'[', usize::from(*levels)));
                self.value(inner);
                self.out
                    .extend(std::iter::repeat_n(b']', usize::from(*levels)));
            }
            JsonValue::Raw(bytes) => self.out.extend_from_slice(bytes),
        }
    }

    /// Writes an array of values.
    pub fn array<'a>(&mut self, items: impl Iterator<Item = &'a JsonValue>) {
        self.out.push(b'[');
        self.indent += 1;
        let mut empty = true;
        for (i, item) in items.enumerate() {
            self.separator(i);
            self.value(item);
            empty = false;
        }
        self.close(b']', empty);
    }

    /// Writes an object; the members are written as given, duplicates included.
    pub fn object<'a>(&mut self, members: impl Iterator<Item = (&'a JsonText, &'a JsonValue)>) {
        self.object_with(members, |_, _| {});
    }

    /// Writes an object and tells `seen` where each member's value was written.
    pub fn object_with<'a>(
        &mut self,
        members: impl Iterator<Item = (&'a JsonText, &'a JsonValue)>,
        mut seen: impl FnMut(&JsonText, std::ops::Range<usize>),
    ) {
        self.out.push(b'{');
        self.indent += 1;
        let mut empty = true;
        for (i, (key, value)) in members.enumerate() {
            self.separator(i);
            self.text(key);
            self.out.push(b':');
            if self.spacing != Spacing::Compact {
                self.out.push(b' ');
            }
            let start = self.out.len();
            self.value(value);
            seen(key, start..self.out.len());
            empty = false;
        }
        self.close(b'}', empty);
    }

    fn separator(&mut self, index: usize) {
        if index > 0 {
            self.out.push(b',');
        }
        match self.spacing {
            Spacing::Compact => {}
            Spacing::Spaced if index > 0 => self.out.push(b' '),
            Spacing::Spaced => {}
            Spacing::Pretty => self.newline(),
        }
    }

    fn close(&mut self, bracket: u8, empty: bool) {
        self.indent -= 1;
        if self.spacing == Spacing::Pretty && !empty {
            self.newline();
        }
        self.out.push(bracket);
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        self.out.extend(std::iter::repeat_n(b' ', 2 * self.indent));
    }

    /// Writes a string, escaped as it says.
    pub fn text(&mut self, text: &JsonText) {
        self.out.push(b'"');
        for c in text.text().chars() {
            escape_char(&mut self.out, c, text.escaping);
        }
        self.out.push(b'"');
    }
}

fn escape_char(out: &mut Vec<u8>, c: char, escaping: Escaping) {
    let short: Option<&[u8]> = match c {
        '"' => Some(b"\\\""),
        '\\' => Some(b"\\\\"),
        '\n' => Some(b"\\n"),
        '\t' => Some(b"\\t"),
        '/' if escaping == Escaping::Solidus => Some(b"\\/"),
        _ => None,
    };
    let must_escape = c.is_control() && (c as u32) < 0x20;
    let wants_escape = match escaping {
        Escaping::Minimal | Escaping::Solidus => false,
        Escaping::AsciiOnly => !c.is_ascii(),
        Escaping::Everything => true,
    };
    if let (Some(short), false) = (short, escaping == Escaping::Everything) {
        out.extend_from_slice(short);
    } else if must_escape || wants_escape || short.is_some() {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
        }
    } else {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// A float in a form JSON accepts: Rust prints finite floats without `inf` or `NaN`, and
/// always with a digit before any point.
fn float_text(x: f64) -> String {
    let text = format!("{x:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: &JsonValue, spacing: Spacing) -> serde_json::Value {
        let mut writer = Writer::new(spacing);
        writer.value(value);
        serde_json::from_slice(&writer.finish()).expect("the writer writes JSON")
    }

    #[test]
    fn every_escaping_reads_back_as_the_same_text() {
        for flavour in Flavour::ALL {
            for escaping in Escaping::ALL {
                let text = JsonText {
                    text: "zoë / \u{1}".into(),
                    flavour,
                    escaping,
                };
                let value = written(&JsonValue::Text(text.clone()), Spacing::Compact);
                assert_eq!(value, serde_json::Value::String(text.text()), "{escaping}");
            }
        }
    }

    #[test]
    fn astral_characters_escape_as_surrogate_pairs() {
        let mut writer = Writer::new(Spacing::Compact);
        writer.text(&JsonText::plain("🚀").escaped(Escaping::AsciiOnly));
        assert_eq!(writer.finish(), br#""\ud83d\ude80""#);
    }

    #[test]
    fn every_spacing_writes_the_same_value() {
        let value = JsonValue::Object(vec![
            (JsonText::plain("a"), JsonValue::Array(vec![])),
            (JsonText::plain("b"), JsonValue::Float(1e300)),
            (
                JsonText::plain("c"),
                JsonValue::Repeat {
                    item: Box::new(JsonValue::Int(-3)),
                    times: 3,
                },
            ),
        ]);
        let expected = serde_json::json!({"a": [], "b": 1e300, "c": [-3, -3, -3]});
        for spacing in Spacing::ALL {
            assert_eq!(written(&value, spacing), expected, "{spacing}");
        }
    }
}
