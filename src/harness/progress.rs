//! What the learner has done so far: the last verdict per exercise and how
//! many hints were shown. Kept in `exercises.json` in the state directory,
//! through [`crate::store`]: written atomically, a damaged file set aside
//! with a warning.

use super::exercises::Exercise;
use crate::store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the progress file inside the state directory.
pub const FILE_NAME: &str = "exercises.json";

/// Progress on every exercise, by exercise name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Progress {
    /// Per exercise.
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
}

/// Progress on one exercise.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExerciseProgress {
    /// How many of its hints were shown.
    #[serde(default)]
    pub hints_shown: usize,
    /// The latest check.
    #[serde(default)]
    pub last_check: Option<LastCheck>,
}

/// The latest check of an exercise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LastCheck {
    /// What it found.
    pub result: CheckResult,
    /// Fingerprint of the file's contents when checked.
    pub content: String,
}

/// A verdict reduced to what `attn-quiz list` shows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// Still the template's body.
    NotStarted,
    /// Did not pass (wrong values, compile error, crash, ...).
    Failing,
    /// Passed.
    Passed,
}

/// What `attn-quiz list` says about an exercise file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file does not exist.
    Missing,
    /// The file is the pristine template.
    NotStarted,
    /// Edited since the last check (or never checked).
    NotChecked,
    /// The last check of exactly this content.
    Checked(CheckResult),
}

/// The progress file and its contents.
#[derive(Debug)]
pub struct ProgressFile {
    path: PathBuf,
    /// The progress (empty if there was no file yet, or a damaged one).
    pub progress: Progress,
    /// A message for the user if a damaged file was set aside.
    pub warning: Option<String>,
}

impl ProgressFile {
    /// Loads the progress file of `state_dir` (`--state-dir`, else the
    /// environment, else the platform's state directory).
    pub fn load(state_dir: Option<&Path>) -> anyhow::Result<Self> {
        let path = store::state_dir(state_dir)?.join(FILE_NAME);
        let loaded = store::load_json(&path)?;
        Ok(ProgressFile { path, progress: loaded.value, warning: loaded.warning })
    }

    /// Writes the progress back, atomically.
    pub fn save(&self) -> anyhow::Result<()> {
        Ok(store::save_json(&self.path, &self.progress)?)
    }
}

impl Progress {
    /// The entry of `exercise`, created empty if needed.
    pub fn of(&mut self, exercise: &Exercise) -> &mut ExerciseProgress {
        self.exercises.entry(exercise.name.to_string()).or_default()
    }

    /// Records a check of a file whose contents were `contents`.
    pub fn record_check(&mut self, exercise: &Exercise, contents: &[u8], result: CheckResult) {
        self.of(exercise).last_check = Some(LastCheck { result, content: super::fingerprint(&[contents]) });
    }

    /// The status of `exercise`'s file at `path`.
    pub fn file_status(&self, exercise: &Exercise, path: &Path) -> FileStatus {
        let Ok(contents) = std::fs::read(path) else { return FileStatus::Missing };
        if contents == exercise.template.as_bytes() {
            return FileStatus::NotStarted;
        }
        let fingerprint = super::fingerprint(&[&contents]);
        let last = self.exercises.get(exercise.name).and_then(|p| p.last_check.as_ref());
        match last {
            Some(check) if check.content == fingerprint => FileStatus::Checked(check.result),
            _ => FileStatus::NotChecked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::exercises;

    #[test]
    fn status_follows_the_file_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sdpa.rs");
        let sdpa = exercises::find("sdpa").unwrap();
        let mut progress = Progress::default();
        assert_eq!(progress.file_status(sdpa, &path), FileStatus::Missing);
        std::fs::write(&path, sdpa.template).unwrap();
        assert_eq!(progress.file_status(sdpa, &path), FileStatus::NotStarted);
        std::fs::write(&path, "fn mine() {}").unwrap();
        assert_eq!(progress.file_status(sdpa, &path), FileStatus::NotChecked);
        progress.record_check(sdpa, b"fn mine() {}", CheckResult::Passed);
        assert_eq!(progress.file_status(sdpa, &path), FileStatus::Checked(CheckResult::Passed));
        std::fs::write(&path, "fn mine() { /* edited */ }").unwrap();
        assert_eq!(progress.file_status(sdpa, &path), FileStatus::NotChecked);
    }
}
