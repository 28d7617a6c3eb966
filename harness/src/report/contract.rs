//! The contract the reports cite: `CONTRACT.md` at the repository root, compiled in, and the
//! mapping from a catalogue clause string (`SPEC §3 ¶7 [D-12]`) to its anchors (`s3-p7`,
//! `d-12`) and their text, so a report can link every finding to its clause.

/// The contract, as shipped with this build.
pub const CONTRACT: &str = include_str!("../../../CONTRACT.md");

/// The contract's file name in the repository, for links from files kept beside it.
pub const CONTRACT_FILE: &str = "CONTRACT.md";

/// One place in the contract a clause string points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClauseRef {
    /// A whole section, `§2`.
    Section(u8),
    /// A paragraph of a section, `§3 ¶6`.
    Paragraph(u8, u8),
    /// A numbered decision, `[D-12]`.
    Decision(u16),
}

impl ClauseRef {
    /// The anchor in `CONTRACT.md`: `s2`, `s3-p6`, `d-12`.
    pub fn anchor(self) -> String {
        match self {
            ClauseRef::Section(s) => format!("s{s}"),
            ClauseRef::Paragraph(s, p) => format!("s{s}-p{p}"),
            ClauseRef::Decision(d) => format!("d-{d}"),
        }
    }

    /// How reports print it: `§2`, `§3 ¶6`, `D-12`.
    pub fn label(self) -> String {
        match self {
            ClauseRef::Section(s) => format!("§{s}"),
            ClauseRef::Paragraph(s, p) => format!("§{s} ¶{p}"),
            ClauseRef::Decision(d) => format!("D-{d}"),
        }
    }

    /// The clause's text in the contract (its paragraph, markup kept), or none for a whole
    /// section or an anchor the contract lacks.
    pub fn text(self) -> Option<&'static str> {
        let marker = format!("<a id=\"{}\"></a>", self.anchor());
        let start = CONTRACT.find(&marker)? + marker.len();
        let rest = &CONTRACT[start..];
        let end = rest.find("\n\n").unwrap_or(rest.len());
        let text = rest[..end].trim();
        (!text.is_empty()).then_some(text)
    }
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
    format!("SPEC {}", links.join(", "))
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
    use crate::catalogue::REQUIREMENTS;
    use crate::catalogue::sender::SENDER_REQUIREMENTS;

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
        for requirement in REQUIREMENTS.iter().chain(SENDER_REQUIREMENTS) {
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
                    CONTRACT.contains(&anchor),
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
    fn every_decision_from_one_to_twelve_is_in_the_contract() {
        for d in 1..=12 {
            assert!(ClauseRef::Decision(d).text().is_some(), "D-{d}");
        }
    }
}
