//! The toy tasks: problems a model can only solve by looking at other
//! positions, i.e. with attention.
//!
//! - **reverse**: `c a d b` -> `b d a c`. Output i is input l−1−i: each query
//!   must find one key by its position, so the learned weights form the
//!   anti-diagonal.
//! - **copy-after-marker**: `c a # d b ?` -> `d`. Among content tokens sits
//!   one marker `#`; at the final `?` the model must output the token right
//!   after the marker, wherever it is. Only the `?` position is scored.

use rand::Rng;

/// A toy task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Reverse the sequence.
    Reverse,
    /// Output the token that follows the marker.
    CopyAfterMarker,
}

/// One sequence and what the model should output at each position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Input tokens, (l).
    pub tokens: Vec<usize>,
    /// `Some(class)` at every scored position, (l).
    pub targets: Vec<Option<usize>>,
}

impl Task {
    /// Every task, in the order `--task` lists them.
    pub const ALL: [Task; 2] = [Task::Reverse, Task::CopyAfterMarker];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Task::Reverse => "reverse",
            Task::CopyAfterMarker => "copy-after-marker",
        }
    }

    /// The task called `name`.
    pub fn from_name(name: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The attention layers the task needs.
    pub fn layers(self) -> usize {
        match self {
            Task::Reverse => 1,
            Task::CopyAfterMarker => 2,
        }
    }

    /// Input tokens: the `vocab` content tokens, plus the marker and `?` for copy-after-marker.
    pub fn vocab_in(self, vocab: usize) -> usize {
        match self {
            Task::Reverse => vocab,
            Task::CopyAfterMarker => vocab + 2,
        }
    }

    /// A random example of length `len` over `vocab` content tokens.
    ///
    /// # Panics
    /// For copy-after-marker, if `len` < 3 (a marker, the token after it and `?`).
    pub fn sample(self, rng: &mut impl Rng, len: usize, vocab: usize) -> Example {
        match self {
            Task::Reverse => {
                let tokens: Vec<usize> = (0..len).map(|_| rng.random_range(0..vocab)).collect();
                let targets = (0..len).map(|i| Some(tokens[len - 1 - i])).collect();
                Example { tokens, targets }
            }
            Task::CopyAfterMarker => {
                assert!(len >= 3, "copy-after-marker needs sequences of at least 3 tokens");
                let (marker, query) = (vocab, vocab + 1);
                let mut tokens: Vec<usize> = (0..len - 1).map(|_| rng.random_range(0..vocab)).collect();
                let at = rng.random_range(0..len - 2); // the marker; at + 1 <= len − 2 is content
                tokens[at] = marker;
                tokens.push(query);
                let mut targets = vec![None; len];
                targets[len - 1] = Some(tokens[at + 1]);
                Example { tokens, targets }
            }
        }
    }

    /// A token as text: content tokens are letters (`a`, `b`, ...; past `z`
    /// numbers), the marker `#`, the question `?`.
    pub fn token_name(self, token: usize, vocab: usize) -> String {
        match (self, token) {
            (Task::CopyAfterMarker, t) if t == vocab => "#".into(),
            (Task::CopyAfterMarker, t) if t == vocab + 1 => "?".into(),
            (_, t) if t < 26 => char::from(b'a' + t as u8).to_string(),
            (_, t) => t.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn reverse_targets_are_the_reversed_input() {
        let e = Task::Reverse.sample(&mut StdRng::seed_from_u64(1), 5, 8);
        let reversed: Vec<Option<usize>> = e.tokens.iter().rev().map(|&t| Some(t)).collect();
        assert_eq!(e.targets, reversed);
    }

    #[test]
    fn copy_after_marker_scores_the_last_position_only() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..200 {
            let e = Task::CopyAfterMarker.sample(&mut rng, 6, 4);
            assert_eq!(e.tokens.len(), 6);
            assert_eq!(e.tokens[5], 5, "the last token is ?");
            let markers: Vec<usize> = (0..6).filter(|&i| e.tokens[i] == 4).collect();
            assert_eq!(markers.len(), 1);
            assert!(e.targets[..5].iter().all(Option::is_none));
            assert_eq!(e.targets[5], Some(e.tokens[markers[0] + 1]));
            assert!(e.tokens[markers[0] + 1] < 4);
        }
    }

    #[test]
    fn names() {
        assert_eq!(Task::from_name("copy-after-marker"), Some(Task::CopyAfterMarker));
        assert_eq!(Task::from_name("sort"), None);
        assert_eq!(Task::CopyAfterMarker.token_name(4, 4), "#");
        assert_eq!(Task::CopyAfterMarker.token_name(5, 4), "?");
        assert_eq!(Task::Reverse.token_name(2, 4), "c");
    }
}
