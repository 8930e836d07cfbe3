//! Plain-text tables with aligned columns.
//!
//! ```
//! use attn_quiz::explore::table::{Align, Table};
//!
//! let mut table = Table::new(&[("variant", Align::Left), ("parameters", Align::Right)]);
//! table.row(vec!["mha".into(), "16,640".into()]);
//! assert_eq!(table.render(), "variant  parameters\n-------  ----------\nmha          16,640\n");
//! ```

use colored::Colorize;

/// Which side of its column a cell sticks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table: a header row, then rows of cells, columns separated by two spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers and alignments.
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            headers: columns.iter().map(|(header, _)| header.to_string()).collect(),
            aligns: columns.iter().map(|(_, align)| *align).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    ///
    /// # Panics
    /// If the row has not one cell per column.
    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.headers.len(), "a row needs one cell per column");
        self.rows.push(cells);
    }

    /// The table as text: the header (bold when colours are on), a rule of
    /// dashes, then the rows; no trailing spaces.
    pub fn render(&self) -> String {
        let widths = self.widths();
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        let mut out = self.line(&self.headers, &widths, true);
        out += &self.line(&rule, &widths, false);
        for row in &self.rows {
            out += &self.line(row, &widths, false);
        }
        out
    }

    /// The width of each column: its widest cell, header included, in characters.
    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        widths
    }

    /// One line of the table, each cell padded to its column's width.
    fn line(&self, cells: &[String], widths: &[usize], bold: bool) -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .zip(&self.aligns)
            .map(|((cell, &width), align)| match align {
                Align::Left => format!("{cell:<width$}"),
                Align::Right => format!("{cell:>width$}"),
            })
            .collect();
        let text = padded.join("  ").trim_end().to_string();
        let text = if bold { text.bold().to_string() } else { text };
        text + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_their_widest_cell_counting_characters() {
        let mut table = Table::new(&[("score", Align::Left), ("heads", Align::Right), ("gate", Align::Left)]);
        table.row(vec!["Q·Kᵀ/√d_k".into(), "8".into(), "-".into()]);
        table.row(vec!["v_a·tanh(Q + K)".into(), "1".into(), "sigmoid".into()]);
        let expected = "\
score            heads  gate
---------------  -----  -------
Q·Kᵀ/√d_k            8  -
v_a·tanh(Q + K)      1  sigmoid
";
        assert_eq!(table.render(), expected);
    }
}
