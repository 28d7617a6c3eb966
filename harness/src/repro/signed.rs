//! The repro of a Standard Webhooks attempt: a short `sh` script that signs it again when it
//! is run (a signature is only good for the receiver's tolerance window), with the run's
//! secret read from `$HOOKCHECK_SECRET` and never written, then sends it with `curl`. It
//! needs `openssl`, `base64` and `od`.

use std::fmt::Write as _;

use super::{ReproRequest, header_argument, single_quote};
use crate::standard_webhooks::{Header, Recipe};

/// The variable the run's secret is read from.
pub const SECRET_VARIABLE: &str = "HOOKCHECK_SECRET";

/// The script that makes `recipe`'s attempt again and sends it as `request` (whose headers
/// are the others the probe sent: content type, auth, `--header`s).
pub fn signed_script(recipe: &Recipe, request: &ReproRequest<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "id={}", single_quote(&recipe.id));
    let _ = writeln!(out, "ts={}", timestamp_expression(recipe.skew));
    let _ = writeln!(
        out,
        "body={}",
        single_quote(&String::from_utf8_lossy(&recipe.body))
    );
    let mut entries = Vec::new();
    for (n, key) in recipe.keys.iter().enumerate() {
        let key = match key.throwaway_hex() {
            Some(hex) => single_quote(&hex),
            None => format!(
                "\"$(printf %s \"${{{SECRET_VARIABLE}#whsec_}}\" | base64 -d | od -An -v -tx1 | tr -d ' \\n')\""
            ),
        };
        let _ = writeln!(
            out,
            "sig{n}=$(printf '%s.%s.%s' \"$id\" \"$ts\" \"$body\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:{key} -binary | base64)"
        );
        entries.push(format!("v1,$sig{n}"));
    }
    entries.extend(recipe.extra.iter().cloned());
    out.push_str(&curl_line(recipe, request, &entries.join(" ")));
    out
}

/// `$(date +%s)`, moved by `skew` seconds.
fn timestamp_expression(skew: i64) -> String {
    match skew {
        0 => "$(date +%s)".to_owned(),
        s if s < 0 => format!("$(( $(date +%s) - {} ))", s.unsigned_abs()),
        s => format!("$(( $(date +%s) + {s} ))"),
    }
}

/// The `curl` command: the other headers as a repro line writes them, then the three
/// Standard Webhooks headers from the script's variables, as the recipe breaks them.
fn curl_line(recipe: &Recipe, request: &ReproRequest<'_>, signature: &str) -> String {
    let mut line = format!("curl -sS -i {}", single_quote(request.url));
    for (name, value) in request.headers {
        line.push_str(" -H ");
        line.push_str(&header_argument(request, name, value));
    }
    let id = if recipe.claimed_id() == recipe.id {
        "$id".to_owned()
    } else {
        "${id}x".to_owned()
    };
    let ts = match recipe.timestamp_shift() {
        0 => "$ts".to_owned(),
        shift => format!("$((ts + {shift}))"),
    };
    for (header, value) in [
        (Header::Id, id),
        (Header::Timestamp, ts),
        (Header::Signature, signature.to_owned()),
    ] {
        match recipe.malformed() {
            _ if recipe.left_out() == Some(header) => {}
            // curl sends `Name;` as a header with an empty value.
            Some((malformed, "")) if malformed == header => {
                let _ = write!(line, " -H '{header};'");
            }
            Some((malformed, value)) if malformed == header => {
                let _ = write!(line, " -H {}", single_quote(&format!("{header}: {value}")));
            }
            _ => {
                let _ = write!(line, " -H \"{header}: {value}\"");
            }
        }
    }
    let sent = recipe.sent_body();
    if sent == recipe.body {
        line.push_str(" --data-binary \"$body\"");
    } else {
        line.push_str(" --data-binary ");
        line.push_str(&single_quote(&String::from_utf8_lossy(&sent)));
    }
    line
}
