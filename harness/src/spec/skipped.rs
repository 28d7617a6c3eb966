//! What `serde_json` refuses when it builds a value but accepts when it skips one: an
//! unpaired UTF-16 surrogate escape (`"\ud800"`) and a number beyond `f64` (`1e400`). A body
//! over the limits is only skipped through (never built), so this pass finds them there, to
//! grade it as the full parse would: not JSON (SPEC [D-12]). One pass over the bytes, no
//! recursion, no allocation.

/// Why a value would not build; `Ok` when every string and number would.
pub(super) fn check(text: &str) -> Result<(), &'static str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = match bytes[i] {
            b'"' => string_end(bytes, i + 1)?,
            b'-' | b'0'..=b'9' => number_end(text, i)?,
            _ => i + 1,
        };
    }
    Ok(())
}

/// The index after the string that starts at `i` (after its opening quote).
fn string_end(bytes: &[u8], mut i: usize) -> Result<usize, &'static str> {
    const LONE: &str = "lone UTF-16 surrogate in a \\u escape";
    let mut high = false;
    while i < bytes.len() {
        let unit = match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'u')) => hex_unit(bytes.get(i + 2..i + 6)),
            _ => None,
        };
        match unit {
            Some(0xD800..=0xDBFF) if !high => high = true,
            Some(0xDC00..=0xDFFF) if high => high = false,
            Some(_) | None if high => return Err(LONE),
            Some(0xDC00..=0xDFFF) => return Err(LONE),
            _ => {}
        }
        i += match (unit, bytes[i]) {
            (Some(_), _) => 6,
            (None, b'"') => return Ok(i + 1),
            (None, b'\\') => 2,
            (None, _) => 1,
        };
    }
    Ok(i)
}

fn hex_unit(digits: Option<&[u8]>) -> Option<u32> {
    let digits = std::str::from_utf8(digits?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// The index after the number that starts at `start`.
fn number_end(text: &str, start: usize) -> Result<usize, &'static str> {
    let rest = &text.as_bytes()[start..];
    let length = rest
        .iter()
        .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .unwrap_or(rest.len());
    let token = &text[start..start + length];
    if token.parse::<f64>().is_ok_and(f64::is_infinite) {
        return Err("number out of range");
    }
    Ok(start + length.max(1))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn unpaired_surrogates_and_infinite_numbers_are_found_like_serde_json_finds_them() {
        let cases = [
            r#"{"a":"\ud800 x"}"#,
            r#"{"a":"\udc00"}"#,
            r#"{"a":"\ud800\u0041"}"#,
            r#"{"\ud800":1}"#,
            r#"{"a":[1e400]}"#,
            r#"{"a":-1e400}"#,
            r#"{"a":"ok","b":"\ud83d\ude80","c":1e300,"d":"\\ud800","e":"\"\ud83d\ude80"}"#,
        ];
        for text in cases {
            let built = serde_json::from_str::<serde_json::Value>(text);
            assert_eq!(check(text).is_ok(), built.is_ok(), "{text}: {built:?}");
        }
    }
}
