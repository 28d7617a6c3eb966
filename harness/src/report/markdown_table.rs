//! Markdown tables, as every Markdown report writes them: a head row and its alignment row
//! ([`head`]), then one line per row ([`row`]); [`cell`] makes text safe for one cell.

use std::fmt::Write as _;

/// Writes the head of a table: `| a | b |` and its alignment row. The columns from
/// `numeric_from` on hold numbers and are right-aligned (`---:`).
pub(super) fn head(out: &mut String, columns: &[&str], numeric_from: usize) {
    row(out, columns);
    out.push('|');
    for i in 0..columns.len() {
        out.push_str(if i < numeric_from { "---|" } else { "---:|" });
    }
    out.push('\n');
}

/// Writes one row: `| a | b |`. Each cell is Markdown already (run text through [`cell`]).
pub(super) fn row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {} |", cell.as_ref());
    }
    out.push('\n');
}

/// Text made safe for one table cell or list line.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_aligns_its_numbers_and_escapes_its_cells() {
        let mut out = String::new();
        head(&mut out, &["name", "n"], 1);
        row(&mut out, &[cell("a|b\nc"), "2".to_owned()]);
        assert_eq!(out, "| name | n |\n|---|---:|\n| a\\|b<br>c | 2 |\n");
    }
}
