//! HTML tables, as every HTML report writes them: [`head`] opens the table with its head
//! row, [`row`] writes one row of [`Cell`]s, [`end`] closes it; [`esc`] makes text safe for
//! HTML content and attribute values.

use std::fmt::Write as _;

/// One cell of a row: its markup (escaped already, see [`esc`]), a class, and whether it
/// heads its row (`<th>`).
pub(super) struct Cell {
    tag: &'static str,
    class: Option<String>,
    html: String,
}

impl Cell {
    /// A data cell (`<td>`) of markup.
    pub(super) fn td(html: impl Into<String>) -> Cell {
        Cell {
            tag: "td",
            class: None,
            html: html.into(),
        }
    }

    /// A cell that heads its row (`<th>`).
    pub(super) fn th(html: impl Into<String>) -> Cell {
        Cell {
            tag: "th",
            ..Cell::td(html)
        }
    }

    /// A number, right-aligned (`class="n"`).
    pub(super) fn number(html: impl ToString) -> Cell {
        Cell::td(html.to_string()).class("n")
    }

    /// The cell with a class.
    pub(super) fn class(self, class: impl Into<String>) -> Cell {
        Cell {
            class: Some(class.into()),
            ..self
        }
    }
}

/// Opens a table (with a class, if any) and writes its head row; the columns from
/// `numeric_from` on hold numbers and are right-aligned.
pub(super) fn head(out: &mut String, class: Option<&str>, columns: &[&str], numeric_from: usize) {
    match class {
        Some(class) => {
            let _ = write!(out, "<table class=\"{class}\">");
        }
        None => out.push_str("<table>"),
    }
    let cells: Vec<Cell> = columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cell = Cell::th(*name);
            if i < numeric_from {
                cell
            } else {
                cell.class("n")
            }
        })
        .collect();
    row(out, &cells);
}

/// Writes one row.
pub(super) fn row(out: &mut String, cells: &[Cell]) {
    out.push_str("<tr>");
    for Cell { tag, class, html } in cells {
        match class {
            Some(class) => {
                let _ = write!(out, "<{tag} class=\"{class}\">{html}</{tag}>");
            }
            None => {
                let _ = write!(out, "<{tag}>{html}</{tag}>");
            }
        }
    }
    out.push_str("</tr>");
}

/// Closes a table.
pub(super) fn end(out: &mut String) {
    out.push_str("</table>\n");
}

/// Text made safe for HTML content and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_an_answer_is_shown_not_run() {
        assert_eq!(
            esc("<script>a&b</script>"),
            "&lt;script&gt;a&amp;b&lt;/script&gt;"
        );
    }

    #[test]
    fn a_table_aligns_its_numbers() {
        let mut out = String::new();
        head(&mut out, Some("summary"), &["name", "n"], 1);
        row(&mut out, &[Cell::td("a").class("o pass"), Cell::number(2)]);
        end(&mut out);
        assert_eq!(
            out,
            "<table class=\"summary\"><tr><th>name</th><th class=\"n\">n</th></tr>\
             <tr><td class=\"o pass\">a</td><td class=\"n\">2</td></tr></table>\n"
        );
    }
}
