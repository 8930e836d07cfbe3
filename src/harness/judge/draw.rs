//! Random inputs for the property tests, and the small edits shrinking makes.
//!
//! Each generated case takes one `u64` from quickcheck's [`Gen`] (seeded with
//! the check's seed) and draws everything else from an RNG seeded with it, so
//! a seed replays the same cases. Entries are multiples of 0.1, which keeps
//! counterexamples readable (`0.3`, not `0.30000001`); sizes are bounded by
//! the generator's size, so every case is small enough to print in full.

use crate::layers::Linear;
use crate::prelude::{Mask, Matrix, RowVector};
use nalgebra::{DMatrix, Scalar};
use quickcheck::{Arbitrary, Gen};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The size the judge's generator is created with: the largest length and width drawn.
pub(crate) const GEN_SIZE: usize = 4;

/// The random choices behind one case.
pub(crate) struct Draw {
    rng: StdRng,
    /// Largest length or width.
    size: usize,
    /// Largest |entry| of an input sequence, in tenths.
    tenths: i32,
}

impl Draw {
    /// A draw seeded from quickcheck's generator.
    pub fn new(g: &mut Gen) -> Self {
        let mut draw = Draw::seeded(u64::arbitrary(g));
        draw.size = g.size().max(1);
        draw
    }

    /// A draw with a fixed seed (for the edge cases).
    pub fn seeded(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let tenths = 10 * [1, 2, 3][rng.random_range(0..3)];
        Draw { rng, size: GEN_SIZE, tenths }
    }

    /// A length or width in 1..=size.
    pub fn size(&mut self) -> usize {
        self.rng.random_range(1..=self.size)
    }

    /// One of `options`.
    pub fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.rng.random_range(0..options.len())]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// An input sequence (rows × cols), entries multiples of 0.1 up to this case's magnitude.
    pub fn sequence(&mut self, rows: usize, cols: usize) -> Matrix {
        let tenths = self.tenths;
        self.tenths_matrix(rows, cols, tenths)
    }

    /// A weight matrix (rows × cols), entries multiples of 0.1 in [-1, 1].
    pub fn weight(&mut self, rows: usize, cols: usize) -> Matrix {
        self.tenths_matrix(rows, cols, 10)
    }

    /// A nonzero bias of `len` entries, multiples of 0.1 in [-0.5, 0.5].
    pub fn bias(&mut self, len: usize) -> RowVector {
        let mut bias = self.tenths_matrix(1, len, 5);
        if bias[0] == 0.0 {
            bias[0] = 0.1;
        }
        RowVector::from_row_slice(bias.as_slice())
    }

    /// A linear layer (inputs × outputs) with a nonzero bias.
    pub fn linear(&mut self, inputs: usize, outputs: usize) -> Linear {
        Linear::new(self.weight(inputs, outputs), self.bias(outputs))
    }

    /// No mask, a random one (rows may end up fully masked) or, if square, a causal one.
    pub fn mask(&mut self, rows: usize, cols: usize) -> Option<Mask> {
        match self.rng.random_range(0..5) {
            0 | 1 => None,
            2 if rows == cols => Some(Mask::from_fn(rows, cols, |i, j| j <= i)),
            _ => {
                let p_allowed = self.pick(&[0.5, 0.8]);
                Some(Mask::from_fn(rows, cols, |_, _| self.rng.random_bool(p_allowed)))
            }
        }
    }

    /// Entries k / 10 with |k| <= `max_tenths`.
    fn tenths_matrix(&mut self, rows: usize, cols: usize, max_tenths: i32) -> Matrix {
        Matrix::from_fn(rows, cols, |_, _| self.rng.random_range(-max_tenths..=max_tenths) as f32 / 10.0)
    }
}

/// The indices one of which a size of `n` may lose in shrinking: all of
/// `0..n`, or none when `n` is 1 (no size shrinks to 0).
pub(crate) fn removable(n: usize) -> impl Iterator<Item = usize> {
    (0..n).filter(move |_| n > 1)
}

/// `m` without the rows `drop` says.
pub(crate) fn keep_rows<T: Scalar>(m: &DMatrix<T>, drop: impl Fn(usize) -> bool) -> DMatrix<T> {
    m.select_rows(&(0..m.nrows()).filter(|&i| !drop(i)).collect::<Vec<_>>())
}

/// `m` without the columns `drop` says.
pub(crate) fn keep_columns<T: Scalar>(m: &DMatrix<T>, drop: impl Fn(usize) -> bool) -> DMatrix<T> {
    m.select_columns(&(0..m.ncols()).filter(|&j| !drop(j)).collect::<Vec<_>>())
}

/// A layer without the input features `drop` says (rows of its weight).
pub(crate) fn drop_inputs(layer: &Linear, drop: impl Fn(usize) -> bool) -> Linear {
    Linear::new(keep_rows(&layer.weight, drop), layer.bias.clone())
}

/// A layer without the output features `drop` says (columns of its weight, entries of its bias).
pub(crate) fn drop_outputs(layer: &Linear, drop: impl Fn(usize) -> bool) -> Linear {
    let bias: Vec<f32> = layer.bias.iter().enumerate().filter(|&(j, _)| !drop(j)).map(|(_, &b)| b).collect();
    Linear::new(keep_columns(&layer.weight, drop), RowVector::from_row_slice(&bias))
}

/// Simpler versions of `m`: all zeros, then every entry rounded to an
/// integer (each only if it changes something).
pub(crate) fn simpler_matrix(m: &Matrix) -> Vec<Matrix> {
    let zeros = Matrix::zeros(m.nrows(), m.ncols());
    let rounded = m.map(f32::round);
    [zeros, rounded].into_iter().filter(|s| s != m).collect()
}

/// Simpler versions of a layer: a simpler weight, or no bias.
pub(crate) fn simpler_layers(layer: &Linear) -> Vec<Linear> {
    let mut layers: Vec<Linear> =
        simpler_matrix(&layer.weight).into_iter().map(|weight| Linear::new(weight, layer.bias.clone())).collect();
    if layer.bias.iter().any(|&b| b != 0.0) {
        layers.push(Linear::without_bias(layer.weight.clone()));
    }
    layers
}

/// `mask` without query row `i` (no mask stays no mask).
pub(crate) fn mask_without_query(mask: &Option<Mask>, i: usize) -> Option<Mask> {
    mask.as_ref().map(|m| keep_rows(m, |r| r == i))
}

/// `mask` without key column `j`.
pub(crate) fn mask_without_key(mask: &Option<Mask>, j: usize) -> Option<Mask> {
    mask.as_ref().map(|m| keep_columns(m, |c| c == j))
}
