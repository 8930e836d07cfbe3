//! Matrices written out for a terminal: every entry, columns aligned, the
//! shape on the first line.
//!
//! ```text
//! (2×3)
//! [ 0.5  -1  2   ]
//! [ 3     0  0.1 ]
//! ```

use crate::layers::Linear;
use crate::prelude::{Mask, Matrix, RowVector};

/// An input matrix: entries in their shortest exact form (`0.1`, `-2`, `1000`).
pub(crate) fn exact(m: &Matrix) -> String {
    grid(m.nrows(), m.ncols(), |i, j| m[(i, j)].to_string())
}

/// A result matrix: entries with four decimals (`0.2500`, `NaN`).
pub(crate) fn rounded(m: &Matrix) -> String {
    grid(m.nrows(), m.ncols(), |i, j| format!("{:.4}", m[(i, j)]))
}

/// A mask: `1` where the query may attend, `0` where it may not.
pub(crate) fn mask(m: &Mask) -> String {
    grid(m.nrows(), m.ncols(), |i, j| if m[(i, j)] { "1" } else { "0" }.to_string())
}

/// An optional mask (`None` when there is none).
pub(crate) fn optional_mask(m: Option<&Mask>) -> String {
    m.map_or_else(|| "None".to_string(), mask)
}

/// A bias or other row vector, on one line.
pub(crate) fn row(v: &RowVector) -> String {
    grid(1, v.len(), |_, j| v[j].to_string()).lines().nth(1).unwrap_or_default().to_string()
}

/// The two arguments a linear layer contributes: `<prefix>.weight` and `<prefix>.bias`.
pub(crate) fn linear(prefix: &str, layer: &Linear) -> [(String, String); 2] {
    [(format!("{prefix}.weight"), exact(&layer.weight)), (format!("{prefix}.bias"), row(&layer.bias))]
}

/// Matrices with more rows than this (the memory cases of flash attention)
/// show their first [`SHOWN_ROWS`] rows only.
const MOST_ROWS: usize = 16;
/// The rows a long matrix shows.
const SHOWN_ROWS: usize = 6;

/// Lays out a (rows × cols) grid of entries, right-aligned per column (the
/// first few rows only of a long one).
fn grid(rows: usize, cols: usize, entry: impl Fn(usize, usize) -> String) -> String {
    let shown = if rows > MOST_ROWS { SHOWN_ROWS } else { rows };
    let cells: Vec<Vec<String>> = (0..shown).map(|i| (0..cols).map(|j| entry(i, j)).collect()).collect();
    let widths: Vec<usize> =
        (0..cols).map(|j| cells.iter().map(|row| row[j].chars().count()).max().unwrap_or(0)).collect();
    let mut text = format!("({rows}×{cols})");
    for row in &cells {
        let padded: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("{cell:>w$}")).collect();
        text.push_str(&format!("\n[ {} ]", padded.join("  ")));
    }
    if shown < rows {
        text.push_str(&format!("\n  … {} more rows", rows - shown));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_right_aligned_under_the_shape() {
        let m = Matrix::from_row_slice(2, 2, &[0.5, -1.0, 10.0, 0.25]);
        assert_eq!(exact(&m), "(2×2)\n[ 0.5    -1 ]\n[  10  0.25 ]");
        assert_eq!(rounded(&Matrix::from_row_slice(1, 2, &[0.25, f32::NAN])), "(1×2)\n[ 0.2500  NaN ]");
    }

    #[test]
    fn long_matrices_show_their_first_rows() {
        let text = exact(&Matrix::zeros(1024, 2));
        assert!(text.starts_with("(1024×2)\n[ 0  0 ]"), "{text}");
        assert_eq!(text.lines().count(), 1 + SHOWN_ROWS + 1);
        assert!(text.ends_with("… 1018 more rows"), "{text}");
    }

    #[test]
    fn masks_and_rows() {
        let m = Mask::from_row_slice(2, 2, &[true, false, true, true]);
        assert_eq!(mask(&m), "(2×2)\n[ 1  0 ]\n[ 1  1 ]");
        assert_eq!(optional_mask(None), "None");
        assert_eq!(row(&RowVector::from_row_slice(&[0.1, -2.0])), "[ 0.1  -2 ]");
    }
}
