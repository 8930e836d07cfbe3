//! Attention weights drawn as a picture in the terminal.
//!
//! A weights matrix (l_q × l_k, one row per query, one column per key) becomes
//! a grid of cells, two characters wide each so that the picture is roughly
//! square. Rows are labelled with query positions, columns with key
//! positions, and a legend under the grid gives the scale.
//!
//! Three ways to draw a cell, chosen once per program by [`Mode::detect`]:
//! - [`Mode::TrueColor`]: a 24-bit background colour, when `COLORTERM` says
//!   the terminal has it (`truecolor` or `24bit`);
//! - [`Mode::Ansi256`]: the nearest colour of the 256-colour palette's 6×6×6
//!   cube, on any other colour terminal;
//! - [`Mode::Ascii`]: shaded characters `" .:-=+*#%@"` (low to high), under
//!   `NO_COLOR`, on a `dumb` terminal, or when stdout is not a terminal.
//!
//! Large matrices are pooled: rows and columns are grouped in equal blocks so
//! that at most [`Options::max_rows`] × [`Options::max_cols`] cells remain
//! (32 × 48 by default), each cell showing the maximum (or mean, see
//! [`Pool`]) of its block. Row labels then show the range of queries of each
//! row (`7-13`), column labels the first key of a block, and a note under the
//! grid says how many positions one cell stands for.
//!
//! [`render_heads`] draws one map per head (for `trace`), and
//! [`render_side_by_side`] puts an expected and an actual matrix next to each
//! other on one scale and marks the cells that differ with `!`, for a failure
//! report.
//!
//! ```
//! use attn_quiz::heatmap::{self, Mode, Options};
//! use attn_quiz::prelude::Matrix;
//!
//! let weights = Matrix::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 0.5, 0.25, 0.25]);
//! let picture = heatmap::render(&weights, &Options::new(Mode::Ascii));
//! assert_eq!(
//!     picture,
//!     "   0 1 2\n\
//!      0 |@@    |\n\
//!      1 |++::::|\n\
//!      scale: 0 [ .:-=+*#%@] 1  (rows: queries, columns: keys)\n"
//! );
//! ```

use crate::prelude::Matrix;
use std::io::IsTerminal;
use std::ops::Range;

/// The shades of ASCII mode, from the low end of the scale to the high end.
pub const ASCII_SHADES: &str = " .:-=+*#%@";

/// How cells are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 24-bit colour escapes (`ESC[48;2;r;g;bm`).
    TrueColor,
    /// 256-colour palette escapes (`ESC[48;5;nm`).
    Ansi256,
    /// Shaded characters, no escape codes at all.
    Ascii,
}

impl Mode {
    /// The mode for this process's stdout, from its environment: see [`Mode::choose`].
    pub fn detect() -> Mode {
        Mode::choose(|name| std::env::var(name).ok(), std::io::stdout().is_terminal())
    }

    /// The mode for an output that is (or is not) a terminal, reading
    /// environment variables through `var`:
    /// 1. `NO_COLOR` set and not empty: [`Mode::Ascii`] (no-color.org);
    /// 2. `CLICOLOR_FORCE` set and not `0`: colour even off a terminal;
    ///    otherwise not a terminal, or `TERM=dumb`: [`Mode::Ascii`];
    /// 3. `COLORTERM` is `truecolor` or `24bit`: [`Mode::TrueColor`], else
    ///    [`Mode::Ansi256`].
    pub fn choose(var: impl Fn(&str) -> Option<String>, is_terminal: bool) -> Mode {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        if set("NO_COLOR").is_some() {
            return Mode::Ascii;
        }
        let forced = set("CLICOLOR_FORCE").is_some_and(|value| value != "0");
        let dumb = set("TERM").is_some_and(|term| term == "dumb");
        if !forced && (!is_terminal || dumb) {
            return Mode::Ascii;
        }
        match set("COLORTERM").map(|value| value.to_ascii_lowercase()) {
            Some(value) if value == "truecolor" || value == "24bit" => Mode::TrueColor,
            _ => Mode::Ansi256,
        }
    }

    /// Whether this mode writes escape codes.
    pub fn is_colour(self) -> bool {
        self != Mode::Ascii
    }
}

/// The range of values the shades or colours span; values outside are clamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// From `low` (darkest) to `high` (brightest). Attention weights: 0 to 1.
    Fixed {
        /// The value drawn darkest.
        low: f32,
        /// The value drawn brightest.
        high: f32,
    },
    /// From the smallest to the largest finite value drawn.
    Auto,
}

/// What one cell of a pooled matrix shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// The largest value of the block: a sharp peak stays visible.
    Max,
    /// The mean of the block: the block's share of the attention.
    Mean,
}

impl Pool {
    fn name(self) -> &'static str {
        match self {
            Pool::Max => "max",
            Pool::Mean => "mean",
        }
    }
}

/// How to draw a heatmap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Cells or characters.
    pub mode: Mode,
    /// At most this many rows of cells; more rows are pooled.
    pub max_rows: usize,
    /// At most this many columns of cells; more columns are pooled.
    pub max_cols: usize,
    /// The range the scale spans.
    pub scale: Scale,
    /// How pooled blocks are summarised.
    pub pool: Pool,
}

impl Options {
    /// Defaults for attention weights: at most 32 × 48 cells, scale 0 to 1,
    /// max pooling.
    pub fn new(mode: Mode) -> Self {
        Options { mode, max_rows: 32, max_cols: 48, scale: Scale::Fixed { low: 0.0, high: 1.0 }, pool: Pool::Max }
    }
}

/// Draws `weights` (l_q × l_k): the grid with its position labels, a note if
/// it was pooled, and the legend. Every line ends with `\n`.
///
/// An empty matrix is drawn as one line saying so.
pub fn render(weights: &Matrix, options: &Options) -> String {
    if weights.is_empty() {
        return format!("(empty {}×{} matrix)\n", weights.nrows(), weights.ncols());
    }
    let grid = Grid::pooled(weights, None, options);
    let (low, high) = scale_range(options.scale, &[weights]);
    let mut out = String::new();
    for line in grid.lines(low, high, options.mode) {
        out += &line.text;
        out.push('\n');
    }
    out += &notes(&grid, options, low, high, false);
    out
}

/// One map per head, each under a `head h` line (h from 0, as the heads are
/// numbered in the reference), separated by blank lines.
pub fn render_heads(weights: &[Matrix], options: &Options) -> String {
    let maps: Vec<String> =
        weights.iter().enumerate().map(|(h, w)| format!("head {h}\n{}", render(w, options))).collect();
    maps.join("\n")
}

/// Tells whether an actual value differs from the expected one: true when
/// `|expected − actual| > abs + rel·|expected|`, or when exactly one of them
/// is NaN, or they are different infinities.
pub fn differs_beyond(abs: f32, rel: f32) -> impl Fn(f32, f32) -> bool {
    move |expected: f32, actual: f32| {
        if expected.is_finite() && actual.is_finite() {
            (expected - actual).abs() > abs + rel * expected.abs()
        } else {
            !(expected == actual || (expected.is_nan() && actual.is_nan()))
        }
    }
}

/// Draws `expected` and `actual` next to each other on one scale, marking
/// with `!` every cell where `differs(expected, actual)` (a pooled cell is
/// marked when any entry of its block is), then a summary line: how many
/// entries differ and the largest difference.
///
/// Matrices of different shapes are drawn one above the other, unmarked,
/// with a line saying the shapes differ.
pub fn render_side_by_side(
    expected: &Matrix,
    actual: &Matrix,
    differs: impl Fn(f32, f32) -> bool,
    options: &Options,
) -> String {
    let (low, high) = scale_range(options.scale, &[expected, actual]);
    if expected.is_empty() && expected.shape() == actual.shape() {
        return format!("(empty {}×{} matrices)\n", expected.nrows(), expected.ncols());
    }
    if expected.shape() != actual.shape() {
        let mut out = format!(
            "shapes differ: expected {}×{}, actual {}×{}\n",
            expected.nrows(),
            expected.ncols(),
            actual.nrows(),
            actual.ncols()
        );
        for (title, matrix) in [("expected", expected), ("actual", actual)] {
            out += &format!("{title}\n");
            let single = Options { scale: Scale::Fixed { low, high }, ..*options };
            out += &render(matrix, &single);
        }
        return out;
    }
    let marks = nalgebra::DMatrix::from_fn(expected.nrows(), expected.ncols(), |i, j| {
        differs(expected[(i, j)], actual[(i, j)])
    });
    let left = Grid::pooled(expected, Some(&marks), options);
    let right = Grid::pooled(actual, Some(&marks), options);
    let left_lines = left.lines(low, high, options.mode);
    let right_lines = right.lines(low, high, options.mode);
    let gap = "    ";
    let width = left_lines.iter().map(|line| line.width).max().unwrap_or(0);
    let mut out = format!("{:<width$}{gap}actual\n", "expected");
    for (l, r) in left_lines.iter().zip(&right_lines) {
        out += &format!("{}{}{gap}{}\n", l.text, " ".repeat(width - l.width), r.text);
    }
    out += &difference_summary(expected, actual, &marks);
    out += &notes(&left, options, low, high, true);
    out
}

/// "N of M entries differ; largest at [i, j]: expected x, actual y", or that none do.
fn difference_summary(expected: &Matrix, actual: &Matrix, marks: &nalgebra::DMatrix<bool>) -> String {
    let count = marks.iter().filter(|&&m| m).count();
    if count == 0 {
        return format!("no entry differs ({} entries)\n", marks.len());
    }
    // The worst entry: a non-finite mismatch beats any finite difference.
    let gap = |i: usize, j: usize| {
        let d = (expected[(i, j)] - actual[(i, j)]).abs();
        if d.is_nan() { f32::INFINITY } else { d }
    };
    let (mut worst, mut worst_gap) = ((0, 0), -1.0f32);
    for j in 0..marks.ncols() {
        for i in 0..marks.nrows() {
            if marks[(i, j)] && (gap(i, j) > worst_gap || (worst_gap < 0.0)) {
                worst = (i, j);
                worst_gap = gap(i, j);
            }
        }
    }
    let (i, j) = worst;
    format!(
        "{count} of {} entries differ (marked !); largest at [{i}, {j}]: expected {}, actual {}\n",
        marks.len(),
        number(expected[(i, j)]),
        number(actual[(i, j)])
    )
}

/// The lines under a grid: pooling, non-finite values, the scale.
fn notes(grid: &Grid, options: &Options, low: f32, high: f32, marked: bool) -> String {
    let mut out = String::new();
    let (block_rows, block_cols) = grid.block;
    if block_rows > 1 || block_cols > 1 {
        out += &format!(
            "pooled: one cell is the {} of {} {} × {} {} ({}×{} matrix)\n",
            options.pool.name(),
            block_rows,
            if block_rows == 1 { "query" } else { "queries" },
            block_cols,
            if block_cols == 1 { "key" } else { "keys" },
            grid.shape.0,
            grid.shape.1
        );
    }
    if grid.values.iter().any(|v| !v.is_finite()) {
        out += "?? = NaN or infinity\n";
    }
    out +=
        &format!("scale: {} {} {}  (rows: queries, columns: keys)\n", number(low), legend(options.mode), number(high));
    if marked && options.mode.is_colour() {
        out += "!! marks a cell that differs\n";
    }
    out
}

/// The ramp from low to high, as the mode draws it.
fn legend(mode: Mode) -> String {
    match mode {
        Mode::Ascii => format!("[{ASCII_SHADES}]"),
        _ => {
            let steps = ASCII_SHADES.len();
            let mut out = String::new();
            for s in 0..steps {
                out += &colour_cell(s as f32 / (steps - 1) as f32, mode, "  ");
            }
            out + RESET
        }
    }
}

/// The low and high ends of the scale for these matrices.
fn scale_range(scale: Scale, matrices: &[&Matrix]) -> (f32, f32) {
    match scale {
        Scale::Fixed { low, high } => (low, high),
        Scale::Auto => {
            let finite = matrices.iter().flat_map(|m| m.iter()).copied().filter(|v| v.is_finite());
            let (low, high) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
            if low > high { (0.0, 1.0) } else { (low, high) }
        }
    }
}

/// A number in few characters: `0`, `1`, `0.25`, `0.333`, `-1.5e-6`.
fn number(x: f32) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
        return format!("{x:.2e}");
    }
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

/// A matrix after pooling, with the positions each row and column stands for.
struct Grid {
    /// The pooled values, (rows × cols).
    values: Matrix,
    /// Which cells are marked (any entry of the block), if marking.
    marks: Option<nalgebra::DMatrix<bool>>,
    /// The query positions of each row.
    rows: Vec<Range<usize>>,
    /// The key positions of each column.
    cols: Vec<Range<usize>>,
    /// Positions per block (queries, keys); (1, 1) when not pooled.
    block: (usize, usize),
    /// The shape before pooling.
    shape: (usize, usize),
}

/// One drawn line and how many columns it takes on screen.
struct Line {
    text: String,
    width: usize,
}

/// `n` positions cut into blocks of equal size (the last may be shorter) so
/// that at most `max` remain.
fn blocks(n: usize, max: usize) -> (usize, Vec<Range<usize>>) {
    let size = n.div_ceil(max.max(1)).max(1);
    let ranges = (0..n.div_ceil(size)).map(|b| b * size..((b + 1) * size).min(n)).collect();
    (size, ranges)
}

impl Grid {
    /// Pools `m` (and its marks) to fit the options.
    fn pooled(m: &Matrix, marks: Option<&nalgebra::DMatrix<bool>>, options: &Options) -> Grid {
        let (block_rows, rows) = blocks(m.nrows(), options.max_rows);
        let (block_cols, cols) = blocks(m.ncols(), options.max_cols);
        let values = Matrix::from_fn(rows.len(), cols.len(), |r, c| {
            let block = m.view((rows[r].start, cols[c].start), (rows[r].len(), cols[c].len()));
            if block.iter().any(|v| v.is_nan()) {
                return f32::NAN;
            }
            match options.pool {
                Pool::Max => block.max(),
                Pool::Mean => block.mean(),
            }
        });
        let marks = marks.map(|marks| {
            nalgebra::DMatrix::from_fn(rows.len(), cols.len(), |r, c| {
                marks.view((rows[r].start, cols[c].start), (rows[r].len(), cols[c].len())).iter().any(|&m| m)
            })
        });
        Grid { values, marks, rows, cols, block: (block_rows, block_cols), shape: m.shape() }
    }

    /// The header of column labels, then one line per row.
    fn lines(&self, low: f32, high: f32, mode: Mode) -> Vec<Line> {
        let row_labels: Vec<String> = self.rows.iter().map(range_label).collect();
        let label_width = row_labels.iter().map(|l| l.len()).max().unwrap_or(1);
        let grid_width = 2 * self.cols.len();
        let header = format!("{}{}", " ".repeat(label_width + 2), self.column_labels()).trim_end().to_string();
        let mut lines = vec![Line { width: header.chars().count(), text: header }];
        for (r, label) in row_labels.iter().enumerate() {
            let mut text = format!("{label:>label_width$} |");
            for c in 0..self.cols.len() {
                let marked = self.marks.as_ref().is_some_and(|m| m[(r, c)]);
                text += &draw_cell(self.values[(r, c)], low, high, mode, marked);
            }
            if mode.is_colour() {
                text += RESET;
            }
            text.push('|');
            lines.push(Line { text, width: label_width + 3 + grid_width });
        }
        lines
    }

    /// The first key position of the columns, at every `step`-th column where
    /// `step` (1, 2, 5, 10, 20, 50, ...) leaves room between labels.
    fn column_labels(&self) -> String {
        let widest = self.cols.iter().map(|c| c.start.to_string().len()).max().unwrap_or(1);
        let step = nice_steps().find(|&s| 2 * s > widest).unwrap_or(1);
        let mut out = String::new();
        for (c, range) in self.cols.iter().enumerate().step_by(step) {
            let at = 2 * c;
            if out.len() < at {
                out += &" ".repeat(at - out.len());
            }
            out += &range.start.to_string();
        }
        out
    }
}

/// 1, 2, 5, 10, 20, 50, 100, ...
fn nice_steps() -> impl Iterator<Item = usize> {
    (0..12u32).flat_map(|e| [1, 2, 5].map(|m| m * 10usize.pow(e)))
}

/// `3` for one position, `7-13` for several.
fn range_label(range: &Range<usize>) -> String {
    if range.len() == 1 { range.start.to_string() } else { format!("{}-{}", range.start, range.end - 1) }
}

/// Ends every colour.
const RESET: &str = "\x1b[0m";

/// Where `value` falls on the scale, in [0, 1].
fn position(value: f32, low: f32, high: f32) -> f32 {
    if high > low { ((value - low) / (high - low)).clamp(0.0, 1.0) } else { 1.0 }
}

/// One cell, two columns wide.
fn draw_cell(value: f32, low: f32, high: f32, mode: Mode, marked: bool) -> String {
    if !value.is_finite() {
        return match mode {
            Mode::Ascii => "??".to_string(),
            _ => format!("{}{}??", background(NON_FINITE, mode), foreground_for(NON_FINITE, mode)),
        };
    }
    let t = position(value, low, high);
    match mode {
        Mode::Ascii => {
            let shades = ASCII_SHADES.as_bytes();
            let shade = shades[((t * shades.len() as f32) as usize).min(shades.len() - 1)] as char;
            format!("{shade}{}", if marked { '!' } else { shade })
        }
        _ if marked => {
            let rgb = ramp(t);
            format!("{}{}!!", background(rgb, mode), foreground_for(rgb, mode))
        }
        _ => colour_cell(t, mode, "  "),
    }
}

/// `text` on the ramp's colour at `t`.
fn colour_cell(t: f32, mode: Mode, text: &str) -> String {
    format!("{}{text}", background(ramp(t), mode))
}

/// The colour of NaN and infinities: magenta, off the ramp.
const NON_FINITE: [u8; 3] = [255, 0, 255];

/// The background escape of a colour in this mode.
fn background(rgb: [u8; 3], mode: Mode) -> String {
    match mode {
        Mode::TrueColor => format!("\x1b[48;2;{};{};{}m", rgb[0], rgb[1], rgb[2]),
        _ => format!("\x1b[48;5;{}m", palette_index(rgb)),
    }
}

/// Black text on a light colour, white on a dark one.
fn foreground_for(rgb: [u8; 3], mode: Mode) -> String {
    let luma = 0.299 * f32::from(rgb[0]) + 0.587 * f32::from(rgb[1]) + 0.114 * f32::from(rgb[2]);
    let ink = if luma > 128.0 { [0, 0, 0] } else { [255, 255, 255] };
    match mode {
        Mode::TrueColor => format!("\x1b[38;2;{};{};{}m", ink[0], ink[1], ink[2]),
        _ => format!("\x1b[38;5;{}m", palette_index(ink)),
    }
}

/// The scale's colours: dark blue through teal and green to yellow, so that
/// brightness grows with the value (legible in grey too).
const STOPS: [[f32; 3]; 5] =
    [[15.0, 15.0, 50.0], [45.0, 65.0, 150.0], [30.0, 145.0, 140.0], [125.0, 200.0, 70.0], [250.0, 230.0, 40.0]];

/// The colour at `t` in [0, 1], interpolated linearly between the stops.
fn ramp(t: f32) -> [u8; 3] {
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f32;
    let i = (x as usize).min(STOPS.len() - 2);
    let f = x - i as f32;
    let channel = |c: usize| (STOPS[i][c] + f * (STOPS[i + 1][c] - STOPS[i][c])).round() as u8;
    [channel(0), channel(1), channel(2)]
}

/// The nearest colour of the 256-colour palette's 6×6×6 cube (indices 16–231).
fn palette_index(rgb: [u8; 3]) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| (0..6).min_by_key(|&l| (i32::from(LEVELS[l]) - i32::from(v)).abs()).unwrap_or(0) as u8;
    16 + 36 * nearest(rgb[0]) + 6 * nearest(rgb[1]) + nearest(rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn ascii() -> Options {
        Options::new(Mode::Ascii)
    }

    #[test]
    fn the_mode_is_chosen_from_the_environment_and_the_terminal() {
        assert_eq!(Mode::choose(env(&[("COLORTERM", "truecolor")]), true), Mode::TrueColor);
        assert_eq!(Mode::choose(env(&[("COLORTERM", "24bit")]), true), Mode::TrueColor);
        assert_eq!(Mode::choose(env(&[]), true), Mode::Ansi256);
        assert_eq!(Mode::choose(env(&[("COLORTERM", "truecolor")]), false), Mode::Ascii);
        assert_eq!(Mode::choose(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")]), true), Mode::Ascii);
        // An empty NO_COLOR does not count (no-color.org).
        assert_eq!(Mode::choose(env(&[("NO_COLOR", "")]), true), Mode::Ansi256);
        assert_eq!(Mode::choose(env(&[("TERM", "dumb")]), true), Mode::Ascii);
        assert_eq!(Mode::choose(env(&[("CLICOLOR_FORCE", "1")]), false), Mode::Ansi256);
        assert_eq!(Mode::choose(env(&[("CLICOLOR_FORCE", "0")]), false), Mode::Ascii);
        assert_eq!(Mode::choose(env(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), false), Mode::Ascii);
    }

    #[test]
    fn a_small_matrix_in_ascii() {
        // 0 is blank, 1 is '@', 0.5 is shade 5 '+', 0.25 is shade 2 ':'.
        let w = Matrix::from_row_slice(3, 3, &[1.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.25, 0.25, 0.5]);
        let expected = "   0 1 2
0 |@@    |
1 |++++  |
2 |::::++|
scale: 0 [ .:-=+*#%@] 1  (rows: queries, columns: keys)
";
        assert_eq!(render(&w, &ascii()), expected);
    }

    #[test]
    fn every_shade_in_order() {
        let w = Matrix::from_fn(1, 10, |_, j| j as f32 / 10.0 + 0.01);
        let picture = render(&w, &ascii());
        assert_eq!(picture.lines().nth(1), Some("0 |  ..::--==++**##%%@@|"));
    }

    #[test]
    fn wide_labels_are_spaced_out_and_rows_right_aligned() {
        // 12 keys: two-digit labels need a step of 2 columns (4 characters).
        let w = Matrix::from_fn(11, 12, |i, j| if i == j { 1.0 } else { 0.0 });
        let picture = render(&w, &ascii());
        let lines: Vec<&str> = picture.lines().collect();
        assert_eq!(lines[0], "    0   2   4   6   8   10");
        assert_eq!(lines[1], " 0 |@@                      |");
        assert_eq!(lines[11], "10 |                    @@  |");
    }

    #[test]
    fn auto_scale_and_clamping() {
        let w = Matrix::from_row_slice(1, 3, &[-2.0, 0.0, 2.0]);
        let auto = Options { scale: Scale::Auto, ..ascii() };
        let picture = render(&w, &auto);
        assert_eq!(picture.lines().nth(1), Some("0 |  ++@@|"));
        assert!(picture.contains("scale: -2 [ .:-=+*#%@] 2"), "{picture}");
        // On the fixed 0..1 scale, -2 clamps to blank and 2 to '@'.
        assert_eq!(render(&w, &ascii()).lines().nth(1), Some("0 |    @@|"));
    }

    #[test]
    fn non_finite_values_are_flagged() {
        let w = Matrix::from_row_slice(1, 2, &[f32::NAN, 0.5]);
        let picture = render(&w, &ascii());
        assert_eq!(picture.lines().nth(1), Some("0 |??++|"));
        assert!(picture.contains("?? = NaN or infinity"));
    }

    #[test]
    fn a_big_matrix_is_pooled_with_ranges_in_the_labels() {
        // The anti-diagonal of a 200 × 200 reversal.
        let w = Matrix::from_fn(200, 200, |i, j| if i + j == 199 { 1.0 } else { 0.0 });
        let picture = render(&w, &ascii());
        let lines: Vec<&str> = picture.lines().collect();
        // 200 rows in blocks of 7: 29 rows (the last holds 196-199); 200 keys in blocks of 5: 40 columns.
        let rows: Vec<&&str> = lines.iter().filter(|l| l.contains('|')).collect();
        assert_eq!(rows.len(), 29);
        assert!(rows[0].starts_with("    0-6 |"), "{}", rows[0]);
        assert!(rows[28].starts_with("196-199 |"), "{}", rows[28]);
        assert!(rows.iter().all(|r| r.chars().count() == "196-199 |".len() + 80 + 1));
        // Max pooling keeps the diagonal visible: query block 0-6 reaches keys 193-199, the last column.
        assert!(rows[0].ends_with("@@|"));
        assert!(rows[28].contains("|@@  "), "{}", rows[28]);
        assert!(lines[0].trim_start().starts_with("0   10  20"), "{}", lines[0]);
        assert!(picture.contains("pooled: one cell is the max of 7 queries × 5 keys (200×200 matrix)"), "{picture}");
        // Mean pooling: one 1 in 35 entries per block at most, nearly blank.
        let mean = render(&w, &Options { pool: Pool::Mean, ..ascii() });
        assert!(mean.lines().filter(|l| l.contains(" |")).all(|l| !l.contains('@')));
        assert!(mean.contains("pooled: one cell is the mean"));
    }

    #[test]
    fn pooling_respects_the_limits() {
        let w = Matrix::from_element(33, 49, 0.5);
        let grid = Grid::pooled(&w, None, &ascii());
        assert_eq!(grid.values.shape(), (17, 25));
        assert_eq!(grid.block, (2, 2));
        let grid = Grid::pooled(&Matrix::from_element(32, 48, 0.5), None, &ascii());
        assert_eq!((grid.values.shape(), grid.block), ((32, 48), (1, 1)));
    }

    #[test]
    fn truecolor_cells_are_24_bit_backgrounds() {
        let w = Matrix::from_row_slice(1, 2, &[0.0, 1.0]);
        let picture = render(&w, &Options::new(Mode::TrueColor));
        assert!(picture.contains("\x1b[48;2;15;15;50m  \x1b[48;2;250;230;40m  \x1b[0m|"), "{picture:?}");
        assert!(!picture.contains("\x1b[48;5;"));
        assert!(picture.lines().last().unwrap().starts_with("scale: 0 \x1b[48;2;"));
    }

    #[test]
    fn ansi256_cells_use_the_colour_cube() {
        let w = Matrix::from_row_slice(1, 2, &[0.0, 1.0]);
        let picture = render(&w, &Options::new(Mode::Ansi256));
        // (15, 15, 50) -> cube (0, 0, 1) = 17; (250, 230, 40) -> (5, 4, 0) = 16 + 180 + 24 = 220.
        assert!(picture.contains("\x1b[48;5;17m  \x1b[48;5;220m  \x1b[0m|"), "{picture:?}");
        assert!(!picture.contains("\x1b[48;2;"));
    }

    #[test]
    fn ascii_has_no_escape_codes() {
        let w = Matrix::from_fn(5, 5, |i, j| (i * j) as f32 / 16.0);
        assert!(!render(&w, &ascii()).contains('\x1b'));
    }

    #[test]
    fn side_by_side_marks_the_differing_cells() {
        let expected = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 0.5, 0.5]);
        let actual = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
        let picture = render_side_by_side(&expected, &actual, differs_beyond(1e-5, 1e-4), &ascii());
        let want = "\
expected    actual
   0 1         0 1
0 |@@  |    0 |@@  |
1 |+!+!|    1 | !@!|
2 of 4 entries differ (marked !); largest at [1, 0]: expected 0.5, actual 0
scale: 0 [ .:-=+*#%@] 1  (rows: queries, columns: keys)
";
        assert_eq!(picture, want);
    }

    #[test]
    fn side_by_side_in_colour_and_when_equal() {
        let expected = Matrix::from_row_slice(1, 2, &[0.25, 0.75]);
        let mut actual = expected.clone();
        let same = render_side_by_side(&expected, &actual, differs_beyond(1e-5, 0.0), &ascii());
        assert!(same.contains("no entry differs (2 entries)"), "{same}");
        actual[(0, 1)] = f32::NAN;
        let picture =
            render_side_by_side(&expected, &actual, differs_beyond(1e-5, 0.0), &Options::new(Mode::TrueColor));
        assert!(picture.contains("!!"), "{picture:?}");
        assert!(picture.contains("\x1b[48;2;255;0;255m\x1b[38;2;255;255;255m??"), "{picture:?}");
        assert!(picture.contains("largest at [0, 1]: expected 0.75, actual NaN"), "{picture}");
    }

    #[test]
    fn side_by_side_pools_and_marks_blocks() {
        let expected = Matrix::from_fn(100, 100, |i, j| if i == j { 1.0 } else { 0.0 });
        let mut actual = expected.clone();
        actual[(99, 0)] = 1.0;
        let picture = render_side_by_side(&expected, &actual, differs_beyond(1e-5, 0.0), &ascii());
        // Blocks of 4 × 3: the last row block (96-99) in its first column is marked in both panels.
        let last = picture.lines().find(|l| l.starts_with("96-99")).unwrap();
        assert_eq!(last.matches(" !").count(), 1, "{last}");
        assert_eq!(last.matches("@!").count(), 1, "{last}");
        assert!(picture.contains("1 of 10000 entries differ"));
    }

    #[test]
    fn side_by_side_with_different_shapes_stacks_them() {
        let picture =
            render_side_by_side(&Matrix::zeros(2, 3), &Matrix::zeros(3, 2), differs_beyond(0.0, 0.0), &ascii());
        assert!(picture.starts_with("shapes differ: expected 2×3, actual 3×2\nexpected\n"), "{picture}");
        assert!(picture.contains("\nactual\n"));
    }

    #[test]
    fn one_map_per_head() {
        let heads = [Matrix::identity(2, 2), Matrix::from_element(2, 2, 0.5)];
        let picture = render_heads(&heads, &ascii());
        let want = "head 0\n   0 1\n0 |@@  |\n1 |  @@|\nscale: 0 [ .:-=+*#%@] 1  (rows: queries, columns: keys)\n\n\
                    head 1\n   0 1\n0 |++++|\n1 |++++|\nscale: 0 [ .:-=+*#%@] 1  (rows: queries, columns: keys)\n";
        assert_eq!(picture, want);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1.0 / 3.0), "0.333");
        assert_eq!(number(-0.0001), "-1.00e-4");
        assert_eq!(number(f32::NAN), "NaN");
    }
}
