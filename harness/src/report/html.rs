//! The HTML format: one self-contained page (no network, no external assets; a Content
//! Security Policy forbids fetching any). A verdict header, per-category tables where each
//! check expands to its requests and answers (as the runner recorded them: secrets redacted,
//! bodies truncated), timings and repro; the latency picture with the timeout drawn on it;
//! and the contract clauses the findings cite, each finding linking to its clause.

use std::collections::BTreeSet;
use std::fmt::Write as _;

pub(super) use super::html_table::esc;
use super::html_table::{self, Cell};
use crate::report::contract::{self, ClauseRef, parse_clause};
use crate::report::svg::latency_svg;
use crate::report::verdict::{
    category_rows, checks_by_category, group_findings, hints, seconds, seed_part, timeout,
    verdict_line,
};
use crate::results::{CheckResult, ExchangeRecord, Outcome, Report};

pub(super) const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1b1f24}
header{padding:.8rem 1rem;border-radius:6px;margin-bottom:1rem}
header.ok{background:#e6f4ea}header.bad{background:#fde8e8}header.none{background:#fff4d6}
h1{margin:.2rem 0;font-size:1.5rem}.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}
.o{font-weight:700;font-family:ui-monospace,monospace}
.o.fail,.o.error{color:#b3261e}.o.warn{color:#8a5a00}.o.pass{color:#1e7a34}.o.skip{color:#666}
pre{background:#f5f5f5;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
details summary{cursor:pointer}.hint{background:#fff4d6;padding:.5rem 1rem;border-left:4px solid #c90}
.finding{border-left:4px solid #b3261e;padding:.1rem 1rem;margin:.8rem 0}
.finding.warn{border-color:#c90}.clause{font-size:.9rem;margin:.4rem 0}
svg.latency text{font:12px system-ui,sans-serif}svg .bar{fill:#5b8def}svg .bar.over{fill:#b3261e}
svg .tick{stroke:#ddd}svg .timeout{stroke:#b3261e;stroke-width:2;stroke-dasharray:6 4}
svg .timeout-label{fill:#b3261e}
";

const SCRIPT: &str = "
(function(){var b=document.body;
window.addEventListener('error',function(e){b.setAttribute('data-hookcheck','error: '+e.message);});
function all(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
document.getElementById('expand').addEventListener('click',function(){all(true);});
document.getElementById('collapse').addEventListener('click',function(){all(false);});
if(b.getAttribute('data-hookcheck')==='loading'){b.setAttribute('data-hookcheck','loaded');}
})();
";

/// The report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let (title, class) = match (report.reason.is_some(), report.verdict.as_str()) {
        (true, _) => ("ungradable", "none"),
        (false, "conformant") => ("conformant", "ok"),
        (false, _) => ("NOT conformant", "bad"),
    };
    let _ = writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>hookcheck: {title}: {}</title><style>{STYLE}</style></head>\n\
         <body data-hookcheck=\"loading\">",
        esc(&report.target)
    );
    header(&mut out, report, title, class);
    findings(&mut out, report);
    categories(&mut out, report);
    let _ = writeln!(
        out,
        "<section><h2>Delivery latency</h2><p>{} deliveries timed, {} timed out.</p>{}</section>",
        report.latency.deliveries,
        report.latency.timed_out,
        latency_svg(&report.latency, report.timeout_ms)
    );
    cited_clauses(&mut out, report);
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body></html>");
    out
}

fn header(out: &mut String, report: &Report, title: &str, class: &str) {
    let _ = writeln!(
        out,
        "<header class=\"{class}\"><h1>hookcheck: {title}</h1><p><strong>{}</strong></p>\
         <p class=\"meta\">target <code>{}</code> · {}timeout {} · took {} · {} · started {}</p></header>",
        esc(&verdict_line(report)),
        esc(&report.target),
        seed_part(report.seed),
        timeout(report.timeout_ms),
        seconds(report.duration_ms),
        esc(&report.tool),
        esc(&report.started_at)
    );
    for hint in hints(report) {
        let _ = writeln!(
            out,
            "<p class=\"hint\"><strong>hint:</strong> {}</p>",
            esc(&hint)
        );
    }
    if !report.notes.is_empty() {
        out.push_str("<ul class=\"notes\">");
        for note in &report.notes {
            let _ = write!(out, "<li>note: {}</li>", esc(note));
        }
        out.push_str("</ul>\n");
    }
    let s = &report.summary;
    let columns = ["category", "pass", "fail", "warn", "skip", "error"];
    html_table::head(out, Some("summary"), &columns, 1);
    let rows = category_rows(report);
    let all = ("all".to_owned(), *s);
    for (name, c) in rows.iter().map(|(c, s)| (c.to_string(), *s)).chain([all]) {
        let mut cells = vec![Cell::td(name)];
        cells.extend([c.pass, c.fail, c.warn, c.skip, c.error].map(Cell::number));
        html_table::row(out, &cells);
    }
    out.push_str("</table>\n<p><button id=\"expand\">expand all</button> <button id=\"collapse\">collapse all</button></p>\n");
}

fn findings(out: &mut String, report: &Report) {
    let groups = group_findings(report);
    if groups.is_empty() {
        return;
    }
    out.push_str("<section><h2>Findings</h2>\n");
    for group in &groups {
        let first = group.first();
        let count = group.checks.len();
        let outcome = group.outcome.as_str();
        let (what, cause) = if count == 1 {
            (esc(&first.id), &first.actual)
        } else {
            (format!("×{count}"), &group.cause)
        };
        let _ = write!(
            out,
            "<div class=\"finding {outcome}\"><h3><span class=\"o {outcome}\">{}</span> {what}: {}</h3>\
             <p>{} ({}) {}</p><p>expected: {}<br>actual: {}</p>\
             <p>how to fix: <code>hookcheck explain {}</code></p>",
            outcome.to_uppercase(),
            esc(cause),
            first.level,
            clause_links(&first.clause),
            esc(&first.requirement),
            esc(&first.expected),
            esc(&first.actual),
            esc(&first.requirement_id)
        );
        if count > 1 {
            let ids: Vec<String> = group
                .checks
                .iter()
                .map(|c| format!("<code>{}</code>", esc(&c.id)))
                .collect();
            let _ = write!(
                out,
                "<details><summary>{count} checks</summary><p>{}</p></details>",
                ids.join(", ")
            );
        }
        if let Some(repro) = &first.repro {
            let _ = write!(
                out,
                "<p>repro (<code>{}</code>):</p><pre>{}</pre>",
                esc(&first.id),
                esc(repro)
            );
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn categories(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Checks by category</h2>\n");
    for (category, checks) in checks_by_category(report) {
        let _ = write!(out, "<h3 id=\"category-{category}\">{category}</h3>");
        html_table::head(out, None, &["outcome", "check", "level", "clause", "ms"], 4);
        out.push('\n');
        for check in checks {
            check_row(out, check);
        }
        html_table::end(out);
    }
    out.push_str("</section>\n");
}

fn check_row(out: &mut String, check: &CheckResult) {
    let outcome = check.outcome.as_str();
    let open = if matches!(check.outcome, Outcome::Fail | Outcome::Error) {
        " open"
    } else {
        ""
    };
    let mut details = format!(
        "<details{open}><summary><code>{}</code>: {}</summary>\
         <p>{}</p><p>expected: {}<br>actual: {}</p>",
        esc(&check.id),
        esc(&check.actual),
        esc(&check.requirement),
        esc(&check.expected),
        esc(&check.actual)
    );
    if let Some(repro) = &check.repro {
        let _ = write!(details, "<p>repro:</p><pre>{}</pre>", esc(repro));
    }
    for (i, exchange) in check.exchanges.iter().enumerate() {
        exchange_block(&mut details, i + 1, exchange);
    }
    details.push_str("</details>");
    html_table::row(
        out,
        &[
            Cell::td(outcome.to_uppercase()).class(format!("o {outcome}")),
            Cell::td(details),
            Cell::td(check.level.to_string()),
            Cell::td(clause_links(&check.clause)),
            Cell::number(check.duration_ms),
        ],
    );
    out.push('\n');
}

fn exchange_block(out: &mut String, n: usize, x: &ExchangeRecord) {
    let headers = |hs: &[(String, String)]| {
        hs.iter()
            .map(|(k, v)| format!("{}: {}", esc(k), esc(v)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let status = x
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let drawn = x
        .drawn
        .as_ref()
        .map_or_else(String::new, |d| format!("<p>drawn: {}</p>", esc(d)));
    let _ = write!(
        out,
        "<details class=\"exchange\"><summary>request {n}: {} ({} bytes) → {status} in {:.1} ms</summary>\
         {drawn}<pre>{}\n\n{}</pre><p>response:</p><pre>{}\n\n{}</pre></details>",
        esc(&x.method),
        x.request_bytes,
        x.duration_ms,
        headers(&x.request_headers),
        esc(&x.request_body),
        headers(&x.response_headers),
        esc(&x.response_body)
    );
}

fn cited_clauses(out: &mut String, report: &Report) {
    let cited: BTreeSet<ClauseRef> = report
        .checks
        .iter()
        .flat_map(|c| parse_clause(&c.clause))
        .collect();
    if cited.is_empty() {
        return;
    }
    let files = contract::documents(&cited).join("</code>, <code>");
    let _ = writeln!(
        out,
        "<section><h2>Contract clauses cited</h2><p>From the contract shipped with {} (<code>{files}</code>).</p>",
        esc(&report.tool)
    );
    for clause in cited {
        let text = clause
            .text()
            .map_or_else(
                || format!("{} (the whole section)", clause.label()),
                str::to_owned,
            )
            .replace("**", "");
        let _ = writeln!(
            out,
            "<p class=\"clause\" id=\"{}\">{}</p>",
            clause.anchor(),
            esc(&text)
        );
    }
    out.push_str("</section>\n");
}

fn clause_links(clause: &str) -> String {
    contract::clause_links(
        clause,
        |r| format!("<a href=\"#{}\">{}</a>", r.anchor(), r.label()),
        esc,
    )
}

/// The start of a page without scripts (a campaign's, a load run's, a diff's): the head,
/// titled `title` (already escaped), and the verdict header: `heading`, the verdict in bold
/// and, if any, a line of `meta` (both escaped here).
pub(super) fn page_start(
    out: &mut String,
    title: &str,
    class: &str,
    heading: &str,
    verdict: &str,
    meta: Option<&str>,
) {
    let meta = meta
        .map(|meta| format!("<p class=\"meta\">{}</p>", esc(meta)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\n<body>\
         <header class=\"{class}\"><h1>{heading}</h1><p><strong>{}</strong></p>{meta}</header>",
        esc(verdict)
    );
}
