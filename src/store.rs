//! Small JSON state files (quiz progress, exercise status): where they live,
//! how they are written, and what happens when one is damaged.
//!
//! - Location: an explicit path (a command-line flag) wins, then the
//!   `ATTN_QUIZ_STATE_DIR` environment variable, then the platform's state
//!   directory (`$XDG_STATE_HOME/attn-quiz`, i.e. `~/.local/state/attn-quiz` on
//!   Linux).
//! - Writing is atomic: the new content goes to a temporary file in the same
//!   directory, which then replaces the old file in one rename. A crash midway
//!   leaves the old file intact.
//! - A file that cannot be parsed is never overwritten: it is renamed to
//!   `<name>.corrupt-<unix seconds>` and the caller starts from the default,
//!   with a warning to show the user.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that overrides the state directory.
pub const STATE_DIR_ENV: &str = "ATTN_QUIZ_STATE_DIR";

/// Errors reading or writing a state file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but could not be read, or could not be written.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done ("reading", "writing", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No state directory could be determined.
    #[error("cannot determine a state directory: set {STATE_DIR_ENV} or pass --state-dir")]
    NoStateDir,
}

/// The directory for attn-quiz's state: `explicit`, else `$ATTN_QUIZ_STATE_DIR`,
/// else the platform state directory.
pub fn state_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "attn-quiz").ok_or(StoreError::NoStateDir)?;
    Ok(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// What loading a state file found.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The state (the default if the file was missing or corrupt).
    pub value: T,
    /// Set when a corrupt file was moved aside: a message for the user.
    pub warning: Option<String>,
}

/// Reads `path` as JSON. A missing file gives `T::default()`; a corrupt one is
/// renamed to `<name>.corrupt-<unix seconds>` and also gives the default, with
/// a warning.
pub fn load_json<T: DeserializeOwned + Default>(path: &Path) -> Result<Loaded<T>, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded { value: T::default(), warning: None }),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => String::from("\u{fffd}"), // not UTF-8: corrupt
        Err(source) => return Err(StoreError::Io { action: "reading", path: path.to_path_buf(), source }),
    };
    match serde_json::from_str(&text) {
        Ok(value) => Ok(Loaded { value, warning: None }),
        Err(parse_error) => {
            let aside = set_aside(path)?;
            let warning = format!(
                "{} was damaged ({parse_error}); it was moved to {} and a fresh one started",
                path.display(),
                aside.display()
            );
            Ok(Loaded { value: T::default(), warning: Some(warning) })
        }
    }
}

/// Writes `value` as pretty JSON to `path` atomically, creating the directory.
pub fn save_json<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let io = |action, source| StoreError::Io { action, path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("creating the directory of", e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("creating a temporary file next to", e))?;
    serde_json::to_writer_pretty(&mut tmp, value).map_err(|e| io("writing", e.into()))?;
    tmp.write_all(b"\n").and_then(|_| tmp.as_file().sync_all()).map_err(|e| io("writing", e))?;
    tmp.persist(path).map_err(|e| io("replacing", e.error))?;
    Ok(())
}

/// Renames a damaged file out of the way and returns its new name.
fn set_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{secs}"));
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside).map_err(|source| StoreError::Io {
        action: "moving aside",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn round_trip_missing_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let loaded: Loaded<BTreeMap<String, u32>> = load_json(&path).unwrap();
        assert!(loaded.value.is_empty() && loaded.warning.is_none());

        let value = BTreeMap::from([("a".to_string(), 3)]);
        save_json(&path, &value).unwrap();
        assert_eq!(load_json::<BTreeMap<String, u32>>(&path).unwrap().value, value);

        std::fs::write(&path, "{ not json").unwrap();
        let loaded: Loaded<BTreeMap<String, u32>> = load_json(&path).unwrap();
        assert!(loaded.value.is_empty());
        assert!(loaded.warning.unwrap().contains("moved to"));
        assert!(!path.exists(), "the damaged file is moved, not left in place");
        let aside: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(aside.len(), 1, "exactly the set-aside copy remains");
    }
}
