//! `alibi`: `alibi_self_attention(x, w) -> (output, weights per head)`.
//!
//! The edge cases cover H = 1, 3, 6 and 12 (the non-power-of-two slope rule
//! and its unsorted order), one token, and heads wide enough for a bias
//! divided by sqrt(d_k) to show. The property "ALiBi with every slope 0 is
//! causal self-attention" needs slopes the learner's function does not take,
//! so it is checked on the twin here (see the tests below), not on the
//! learner's results.

use crate::evaluator::wire::to_bytes;
use crate::harness::judge::draw::{
    Draw, drop_inputs, drop_outputs, keep_rows, removable, simpler_layers, simpler_matrix,
};
use crate::harness::judge::exercise::Exercise;
use crate::harness::judge::format;
use crate::harness::judge::knobs::{Knobs, Mutant};
use crate::harness::judge::mistakes as m;
use crate::harness::judge::outputs::Outputs;
use crate::harness::judge::twins;
use crate::layers::MultiHeadWeights;
use crate::prelude::{Mask, Matrix};
use crate::reference;
use crate::reference::heads::merge_heads;
use quickcheck::{Arbitrary, Gen};

/// The exercise.
pub(crate) struct Alibi;

/// How the ALiBi twin biases its scores; every setting but `Correct` is one classic mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlibiRule {
    /// The authors' slopes, −m·(i − j) after the scale, causal: correct.
    Correct,
    /// `2^(−8(h+1)/H)` for every H, powers of two or not.
    PowerOfTwoFormula,
    /// The right slopes, sorted from largest to smallest.
    SortedDescending,
    /// The right slopes, sorted from smallest to largest.
    SortedAscending,
    /// +m·(i − j): distance rewarded.
    BiasSign,
    /// The bias added before dividing by sqrt(d_k).
    BiasScaled,
    /// No causal mask: every key gets −m·(i − j), future keys a reward.
    NoMask,
}

/// One input: a sequence and the weights.
#[derive(Debug, Clone)]
pub(crate) struct AlibiCase {
    /// The tokens (l × D).
    pub x: Matrix,
    /// Projections and the number of heads.
    pub w: MultiHeadWeights,
}

/// `2^(−8(h+1)/n)` for h = 0..n.
fn geometric(n: usize) -> Vec<f64> {
    (1..=n).map(|h| (-8.0 * h as f64 / n as f64).exp2()).collect()
}

/// The slopes of `heads` heads, as `rule` says.
pub(crate) fn slopes(heads: usize, rule: AlibiRule) -> Vec<f64> {
    if rule == AlibiRule::PowerOfTwoFormula || heads.is_power_of_two() || heads == 0 {
        let mut slopes = geometric(heads);
        if rule == AlibiRule::SortedAscending {
            slopes.reverse();
        }
        return slopes;
    }
    let c = 1 << heads.ilog2();
    let mut slopes = geometric(c);
    slopes.extend(geometric(2 * c).into_iter().step_by(2).take(heads - c));
    match rule {
        AlibiRule::SortedDescending => slopes.sort_by(|a, b| b.total_cmp(a)),
        AlibiRule::SortedAscending => slopes.sort_by(f64::total_cmp),
        _ => {}
    }
    slopes
}

/// ALiBi self-attention with the given slopes, biased as `rule` says.
///
/// Shapes: x (l × D), slopes (H) -> (output (l × D_out), H weights (l × l)).
pub(crate) fn with_slopes(x: &Matrix, w: &MultiHeadWeights, slopes: &[f64], rule: AlibiRule) -> (Matrix, Vec<Matrix>) {
    let (l, heads) = (x.nrows(), w.num_heads);
    let d_k = w.q.out_features() / heads;
    let (q, k, v) = (w.q.forward(x), w.k.forward(x), w.v.forward(x));
    let root = (d_k as f64).sqrt();
    let mask = (rule != AlibiRule::NoMask).then(|| Mask::from_fn(l, l, |i, j| j <= i));
    let (mut outputs, mut weights) = (Vec::new(), Vec::new());
    for (h, &slope) in slopes.iter().enumerate() {
        let block = |m: &Matrix| m.columns(h * d_k, d_k).into_owned();
        let (q_h, k_h, v_h) = (block(&q), block(&k), block(&v));
        let scores = Matrix::from_fn(l, l, |i, j| {
            let dot: f64 = (0..d_k).map(|c| f64::from(q_h[(i, c)]) * f64::from(k_h[(j, c)])).sum();
            let distance = i as f64 - j as f64;
            let score = match rule {
                AlibiRule::BiasSign => dot / root + slope * distance,
                AlibiRule::BiasScaled => (dot - slope * distance) / root,
                _ => dot / root - slope * distance,
            };
            score as f32
        });
        let p = twins::softmax(&scores, mask.as_ref(), &Knobs::CORRECT);
        outputs.push(&p * v_h);
        weights.push(p);
    }
    (w.o.forward(&merge_heads(&outputs)), weights)
}

/// The ALiBi twin: its slopes and bias as `rule` says.
fn twin(c: &AlibiCase, rule: AlibiRule) -> (Matrix, Vec<Matrix>) {
    with_slopes(&c.x, &c.w, &slopes(c.w.num_heads, rule), rule)
}

impl AlibiCase {
    /// A case of l tokens and H heads of width d_k (D = H·d_k), entries from `draw`.
    fn build(draw: &mut Draw, l: usize, heads: usize, d_k: usize) -> Self {
        let d = heads * d_k;
        let w = MultiHeadWeights {
            q: draw.linear(d, d),
            k: draw.linear(d, d),
            v: draw.linear(d, d),
            o: draw.linear(d, d),
            num_heads: heads,
        };
        AlibiCase { x: draw.sequence(l, d), w }
    }

    /// The case without head `h` (its columns of q, k, v and its rows of o).
    fn without_head(&self, h: usize) -> Self {
        let d_k = self.w.q.out_features() / self.w.num_heads;
        let block = |c: usize| c / d_k == h;
        let w = MultiHeadWeights {
            q: drop_outputs(&self.w.q, block),
            k: drop_outputs(&self.w.k, block),
            v: drop_outputs(&self.w.v, block),
            o: drop_inputs(&self.w.o, block),
            num_heads: self.w.num_heads - 1,
        };
        AlibiCase { w, ..self.clone() }
    }
}

impl Arbitrary for AlibiCase {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut draw = Draw::new(g);
        let heads = draw.pick(&[1, 2, 3, 4, 5, 6]);
        let d_k = draw.pick(&[1, 2, 2, 3]);
        let l = draw.pick(&[1, 2, 3, 4, 5, 6]);
        AlibiCase::build(&mut draw, l, heads, d_k)
    }

    /// Fewer tokens or heads, then simpler x and weights.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut smaller: Vec<Self> = removable(self.x.nrows())
            .map(|r| AlibiCase { x: keep_rows(&self.x, |i| i == r), ..self.clone() })
            .collect();
        smaller.extend(removable(self.w.num_heads).map(|h| self.without_head(h)));
        smaller.extend(simpler_matrix(&self.x).into_iter().map(|x| AlibiCase { x, ..self.clone() }));
        let w = &self.w;
        for (role, layer) in [&w.q, &w.k, &w.v, &w.o].into_iter().enumerate() {
            for simpler in simpler_layers(layer) {
                let mut w = w.clone();
                *[&mut w.q, &mut w.k, &mut w.v, &mut w.o][role] = simpler;
                smaller.push(AlibiCase { w, ..self.clone() });
            }
        }
        Box::new(smaller.into_iter())
    }
}

impl Exercise for Alibi {
    type Function = fn(&Matrix, &MultiHeadWeights) -> (Matrix, Vec<Matrix>);
    type Input = AlibiCase;
    const NAME: &'static str = "alibi";
    const REFERENCE: Self::Function = reference::alibi_self_attention;

    type Returned = (Matrix, Vec<Matrix>);

    fn encode(c: &AlibiCase) -> Vec<u8> {
        to_bytes(&(&c.x, &c.w))
    }

    fn call(function: Self::Function, c: &AlibiCase) -> Outputs {
        function(&c.x, &c.w).into()
    }

    fn twin(knobs: &Knobs, c: &AlibiCase) -> Outputs {
        twin(c, knobs.alibi).into()
    }

    fn edge_cases() -> Vec<(&'static str, AlibiCase)> {
        let case = |seed, l, heads, d_k| AlibiCase::build(&mut Draw::seeded(seed), l, heads, d_k);
        vec![
            ("one token (L = 1), two heads", case(71, 1, 2, 2)),
            ("one head (H = 1, slope 1/256)", case(72, 5, 1, 2)),
            ("H = 3: slopes 1/16, 1/256, then 1/4", case(73, 5, 3, 2)),
            ("H = 6: slopes 1/4 .. 1/256, then 1/2, 1/8", case(74, 6, 6, 2)),
            ("H = 12, heads of width 1", case(75, 4, 12, 1)),
            ("H = 4 (a power of two), eight tokens", case(76, 8, 4, 3)),
        ]
    }

    fn mutants() -> Vec<Mutant> {
        let rule = |mistake, alibi| Mutant { mistake, knobs: Knobs { alibi, ..Knobs::CORRECT } };
        vec![
            rule(m::ALIBI_SLOPES_POWER_OF_TWO_FORMULA, AlibiRule::PowerOfTwoFormula),
            rule(m::ALIBI_SLOPES_SORTED, AlibiRule::SortedDescending),
            rule(m::ALIBI_SLOPES_SORTED, AlibiRule::SortedAscending),
            rule(m::ALIBI_BIAS_SIGN, AlibiRule::BiasSign),
            rule(m::ALIBI_BIAS_SCALED, AlibiRule::BiasScaled),
            rule(m::ALIBI_NO_CAUSAL_MASK, AlibiRule::NoMask),
        ]
    }

    fn arguments(c: &AlibiCase) -> Vec<(String, String)> {
        let mut arguments = vec![("x".to_string(), format::exact(&c.x))];
        for (name, layer) in [("q", &c.w.q), ("k", &c.w.k), ("v", &c.w.v), ("o", &c.w.o)] {
            arguments.extend(format::linear(&format!("w.{name}"), layer));
        }
        arguments.push(("w.num_heads".to_string(), c.w.num_heads.to_string()));
        arguments
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::judge::outputs::discrepancy;

    #[test]
    fn the_twins_slopes_are_the_references() {
        for heads in 1..=16 {
            let expected: Vec<f64> = reference::alibi_slopes(heads).into_iter().map(f64::from).collect();
            let twin = slopes(heads, AlibiRule::Correct);
            assert!(expected.iter().zip(&twin).all(|(e, t)| (e - t).abs() < 1e-7), "H = {heads}: {twin:?}");
        }
    }

    #[test]
    fn all_slopes_zero_is_causal_self_attention() {
        let mut generator = Gen::from_size_and_seed(crate::harness::judge::draw::GEN_SIZE, 3);
        let cases = Alibi::edge_cases().into_iter().map(|(_, c)| c);
        for c in cases.chain((0..100).map(|_| AlibiCase::arbitrary(&mut generator))) {
            let zeros = vec![0.0; c.w.num_heads];
            let flat = with_slopes(&c.x, &c.w, &zeros, AlibiRule::Correct);
            let mask = reference::causal_mask(c.x.nrows());
            let causal = reference::self_attention(&c.x, &c.w, Some(&mask));
            let difference = discrepancy(&causal.into(), &flat.into());
            assert!(difference.is_none(), "{difference:?} on {:?}", Alibi::arguments(&c));
        }
    }
}
