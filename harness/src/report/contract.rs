//! The contract the reports cite: `CONTRACT.md` at the repository root, compiled in, and the
//! mapping from a catalogue clause string (`SPEC §3 ¶7 [D-12]`) to its anchors (`s3-p7`,
//! `d-12`) and their text, so a report can link every finding to its clause.

/// The contract, as shipped with this build.
pub const CONTRACT: &str = include_str!("../../../CONTRACT.md");

/// The contract's file name in the repository, for links from files kept beside it.
pub const CONTRACT_FILE: &str = "CONTRACT.md";

/// The Standard Webhooks contract (`--profile standard-webhooks`), as shipped with this build.
pub const STANDARD_WEBHOOKS: &str = include_str!("../../../STANDARD-WEBHOOKS.md");

/// Its file name in the repository.
pub const STANDARD_WEBHOOKS_FILE: &str = "STANDARD-WEBHOOKS.md";

/// One place in the contract a clause string points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClauseRef {
    /// A whole section, `§2`.
    Section(u8),
    /// A paragraph of a section, `§3 ¶6`.
    Paragraph(u8, u8),
    /// A numbered decision, `[D-12]`.
    Decision(u16),
    /// A clause of the Standard Webhooks contract, `[SW-6]`.
    StandardWebhooks(u16),
    /// A decision of the Standard Webhooks contract, `[SD-3]`.
    StandardWebhooksDecision(u16),
}

impl ClauseRef {
    /// The anchor in its document: `s2`, `s3-p6`, `d-12`, `sw-6`, `sd-3`.
    pub fn anchor(self) -> String {
        match self {
            ClauseRef::Section(s) => format!("s{s}"),
            ClauseRef::Paragraph(s, p) => format!("s{s}-p{p}"),
            ClauseRef::Decision(d) => format!("d-{d}"),
            ClauseRef::StandardWebhooks(n) => format!("sw-{n}"),
            ClauseRef::StandardWebhooksDecision(n) => format!("sd-{n}"),
        }
    }

    /// How reports print it: `§2`, `§3 ¶6`, `D-12`, `SW-6`, `SD-3`.
    pub fn label(self) -> String {
        match self {
            ClauseRef::Section(s) => format!("§{s}"),
            ClauseRef::Paragraph(s, p) => format!("§{s} ¶{p}"),
            ClauseRef::Decision(d) => format!("D-{d}"),
            ClauseRef::StandardWebhooks(n) => format!("SW-{n}"),
            ClauseRef::StandardWebhooksDecision(n) => format!("SD-{n}"),
        }
    }

    /// The document it is in: its file name in the repository and its text.
    pub fn document(self) -> (&'static str, &'static str) {
        match self {
            ClauseRef::Section(_) | ClauseRef::Paragraph(..) | ClauseRef::Decision(_) => {
                (CONTRACT_FILE, CONTRACT)
            }
            ClauseRef::StandardWebhooks(_) | ClauseRef::StandardWebhooksDecision(_) => {
                (STANDARD_WEBHOOKS_FILE, STANDARD_WEBHOOKS)
            }
        }
    }

    /// How a clause string citing it starts: `SPEC` or `STANDARD-WEBHOOKS`.
    fn citation(self) -> &'static str {
        match self.document().0 {
            CONTRACT_FILE => "SPEC",
            _ => "STANDARD-WEBHOOKS",
        }
    }

    /// The clause's text in the contract (its paragraph, markup kept), or none for a whole
    /// section or an anchor the contract lacks.
    pub fn text(self) -> Option<&'static str> {
        let marker = format!("<a id=\"{}\"></a>", self.anchor());
        let document = self.document().1;
        let start = document.find(&marker)? + marker.len();
        let rest = &document[start..];
        let end = rest.find("\n\n").unwrap_or(rest.len());
        let text = rest[..end].trim();
        (!text.is_empty()).then_some(text)
    }
}

/// The documents `refs` are in, each once, in order: `CONTRACT.md`, `STANDARD-WEBHOOKS.md`.
pub fn documents<'a>(refs: impl IntoIterator<Item = &'a ClauseRef>) -> Vec<&'static str> {
    let mut files: Vec<&'static str> = Vec::new();
    for clause in refs {
        let file = clause.document().0;
        if !files.contains(&file) {
            files.push(file);
        }
    }
    files
}

/// Reads a catalogue clause string (`SPEC §3 ¶2, §2 [D-6]`) into the places it cites, in
/// order. Text it does not recognise is ignored, so a reworded clause still renders.
pub fn parse_clause(clause: &str) -> Vec<ClauseRef> {
    let mut refs = Vec::new();
    let mut section: Option<u8> = None;
    let mut rest = clause;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let (number, tail) = leading_number(after.strip_prefix("D-").unwrap_or(after));
        match (c, number) {
            ('§', Some(n)) => {
                section = u8::try_from(n).ok();
                if let Some(s) = section.filter(|_| !tail.trim_start().starts_with('¶')) {
                    refs.push(ClauseRef::Section(s));
                }
            }
            ('¶', Some(n)) => {
                if let (Some(s), Ok(p)) = (section, u8::try_from(n)) {
                    refs.push(ClauseRef::Paragraph(s, p));
                }
            }
            ('[', Some(n)) if after.starts_with("D-") => {
                if let Ok(d) = u16::try_from(n) {
                    refs.push(ClauseRef::Decision(d));
                }
            }
            ('[', None) => {
                if let Some((clause, tail)) = standard_webhooks_ref(after) {
                    refs.push(clause);
                    rest = tail;
                    continue;
                }
            }
            _ => {}
        }
        rest = if number.is_some() { tail } else { after };
    }
    refs
}

/// A clause string with each place it cites written by `link` (`SPEC §3 ¶6, D-12` as links),
/// or, when it cites nothing this file knows, the string as `plain` writes it.
pub fn clause_links(
    clause: &str,
    link: impl Fn(&ClauseRef) -> String,
    plain: impl Fn(&str) -> String,
) -> String {
    let refs = parse_clause(clause);
    if refs.is_empty() {
        return plain(clause);
    }
    let links: Vec<String> = refs.iter().map(link).collect();
    format!("{} {}", refs[0].citation(), links.join(", "))
}

/// `SW-6]…` or `SD-3]…` (after the `[`): the clause and the text after its number.
fn standard_webhooks_ref(text: &str) -> Option<(ClauseRef, &str)> {
    let (make, after): (fn(u16) -> ClauseRef, &str) = if let Some(after) = text.strip_prefix("SW-")
    {
        (ClauseRef::StandardWebhooks, after)
    } else {
        (
            ClauseRef::StandardWebhooksDecision,
            text.strip_prefix("SD-")?,
        )
    };
    let (number, tail) = leading_number(after);
    Some((make(u16::try_from(number?).ok()?), tail))
}

fn leading_number(text: &str) -> (Option<u32>, &str) {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match text[..digits].parse() {
        Ok(n) => (Some(n), &text[digits..]),
        Err(_) => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::sender::SENDER_REQUIREMENTS;
    use crate::catalogue::{REQUIREMENTS, STANDARD_WEBHOOKS_REQUIREMENTS};

    #[test]
    fn clause_strings_read_into_sections_paragraphs_and_decisions() {
        assert_eq!(
            parse_clause("SPEC §3 ¶2, §2 [D-6]"),
            vec![
                ClauseRef::Paragraph(3, 2),
                ClauseRef::Section(2),
                ClauseRef::Decision(6)
            ]
        );
        assert_eq!(parse_clause("SPEC §3 ¶9"), vec![ClauseRef::Paragraph(3, 9)]);
        assert_eq!(parse_clause("SPEC [D-12]"), vec![ClauseRef::Decision(12)]);
        assert_eq!(parse_clause("see the docs"), vec![]);
    }

    #[test]
    fn every_clause_the_catalogue_cites_has_an_anchor_and_text_in_the_contract() {
        let catalogues = [
            REQUIREMENTS,
            SENDER_REQUIREMENTS,
            STANDARD_WEBHOOKS_REQUIREMENTS,
        ];
        for requirement in catalogues.into_iter().flatten() {
            let refs = parse_clause(requirement.clause);
            assert!(
                !refs.is_empty(),
                "{}: `{}`",
                requirement.id,
                requirement.clause
            );
            for clause in refs {
                let anchor = format!("<a id=\"{}\"></a>", clause.anchor());
                assert!(
                    clause.document().1.contains(&anchor),
                    "{}: no {anchor}",
                    requirement.id
                );
                if !matches!(clause, ClauseRef::Section(_)) {
                    let text = clause.text().unwrap_or_default();
                    assert!(
                        text.contains(&clause.label())
                            || text.contains(&format!("[{}]", clause.label())),
                        "{}: {text}",
                        clause.label()
                    );
                }
            }
        }
    }

    #[test]
    fn standard_webhooks_clauses_read_and_link_to_their_own_file() {
        let refs = parse_clause("STANDARD-WEBHOOKS [SW-8] [SD-3]");
        assert_eq!(
            refs,
            vec![
                ClauseRef::StandardWebhooks(8),
                ClauseRef::StandardWebhooksDecision(3)
            ]
        );
        assert_eq!(refs[0].anchor(), "sw-8");
        assert_eq!(refs[1].document().0, STANDARD_WEBHOOKS_FILE);
        assert!(refs[0].text().unwrap().contains("Replay window"));
        let links = clause_links("STANDARD-WEBHOOKS [SW-8]", |r| r.label(), str::to_owned);
        assert_eq!(links, "STANDARD-WEBHOOKS SW-8");
    }

    #[test]
    fn every_decision_from_one_to_twelve_is_in_the_contract() {
        for d in 1..=12 {
            assert!(ClauseRef::Decision(d).text().is_some(), "D-{d}");
        }
    }
}
