//! Everything an exercise file needs: `use attn_quiz::prelude::*;`.
//!
//! ```
//! use attn_quiz::prelude::*;
//!
//! let x = Matrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0]);
//! let layer = Linear::new(Matrix::identity(2, 2), RowVector::from_row_slice(&[0.5, -0.5]));
//! assert_eq!(layer.forward(&x), Matrix::from_row_slice(2, 2, &[1.5, -0.5, 0.5, 0.5]));
//! ```

pub use crate::error::ShapeError;
pub use crate::layers::{
    AdditiveWeights, GatedWeights, GroupedQueryWeights, KvCache, Linear, MlaCache, MlaWeights, MultiHeadWeights, Rope,
    RopeStyle,
};
pub use nalgebra::{self, DMatrix, DVector, RowDVector};

/// A sequence of vectors, one row per position and one column per feature:
/// shape (length × width).
pub type Matrix = nalgebra::DMatrix<f32>;

/// An attention mask of shape (l_q × l_k): `true` means query `i` may attend to key `j`.
pub type Mask = nalgebra::DMatrix<bool>;

/// A row vector of `f32`, the shape of a bias or of the additive score vector `v_a`.
pub type RowVector = nalgebra::RowDVector<f32>;
