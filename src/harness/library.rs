//! The learner's surface of the attn-quiz library: the source that learners'
//! programs are compiled against.
//!
//! `attn-quiz check` compiles the learner's file against the crate with
//! default features off: the prelude, the layers, the shape errors and the
//! [evaluator](crate::evaluator), and nalgebra. Nothing else is even there:
//! the binary embeds just those files (plus `Cargo.toml` and `Cargo.lock`)
//! and [`extract`] writes just those into the check cache, so the reference
//! (the answer key), the judge and the quiz are out of the learner's reach,
//! and the learner's build compiles no CLI dependency. The embedded copy also
//! means the check works after `cargo install`, when the source tree may be
//! gone, and always matches the judge this binary was built with.
//!
//! The extracted copy's manifest is the embedded one without the binary,
//! bench, test and example targets and without the `[profile.*]` tables,
//! which the generated package repeats at its own root, where Cargo reads them.

use include_dir::{Dir, include_dir};
use std::io;
use std::path::{Path, PathBuf};

/// The evaluator's folder, `src/evaluator/`.
static EVALUATOR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/evaluator");
/// The other files of the learner's surface, by their path under `src/`.
const SURFACE_FILES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../lib.rs")),
    ("error.rs", include_str!("../error.rs")),
    ("layers.rs", include_str!("../layers.rs")),
    ("prelude.rs", include_str!("../prelude.rs")),
];
/// The package manifest.
const MANIFEST: &str = include_str!("../../Cargo.toml");
/// The lockfile: the generated package builds with exactly these versions.
pub const LOCKFILE: &str = include_str!("../../Cargo.lock");

/// Name of the file that records which build of the library a directory holds.
const STAMP_FILE: &str = ".attn-quiz-stamp";

/// Writes the embedded library into `dir` (creating it) unless `dir` already
/// holds this very build of it. Unchanged files keep their modification time,
/// so Cargo only recompiles what differs.
pub fn extract(dir: &Path) -> io::Result<()> {
    let stamp = stamp();
    let stamp_path = dir.join(STAMP_FILE);
    if std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    write_if_changed(&dir.join("Cargo.toml"), library_manifest())?;
    write_if_changed(&dir.join("Cargo.lock"), LOCKFILE)?;
    // Files an older attn-quiz extracted (once the whole library) go first.
    let src = dir.join("src");
    for entry in std::fs::read_dir(&src).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let kept = name == "evaluator" || SURFACE_FILES.iter().any(|(file, _)| name == *file);
        if !kept {
            let path = entry.path();
            if path.is_dir() { std::fs::remove_dir_all(path)? } else { std::fs::remove_file(path)? }
        }
    }
    for (file, contents) in SURFACE_FILES {
        write_if_changed(&src.join(file), contents)?;
    }
    write_dir(&EVALUATOR, &src.join("evaluator"))?;
    std::fs::write(stamp_path, stamp)
}

/// The modules of the library that only the tool builds (behind the `tool`
/// feature in `lib.rs`): out of the learner's reach.
pub fn tool_modules() -> Vec<&'static str> {
    let lib = SURFACE_FILES[0].1;
    let lines: Vec<&str> = lib.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == "#[cfg(feature = \"tool\")]")
        .filter_map(|pair| pair[1].strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect()
}

/// The `[dependencies]` entry of `crate_name` as a line of TOML (e.g.
/// `nalgebra = "0.35"`), so the generated package asks for the same version.
pub fn dependency_line(crate_name: &str) -> Option<String> {
    let requirement = manifest().get("dependencies")?.get(crate_name)?.clone();
    Some(toml::Table::from_iter([(crate_name.to_string(), requirement)]).to_string())
}

/// The manifest's `[profile.*]` tables, to be repeated at the root of the
/// generated package: dependencies then compile with the same settings (and
/// so into the same artifacts) as in a `cargo build` of attn-quiz itself.
pub fn profiles() -> String {
    let profiles = manifest().get("profile").cloned().unwrap_or_else(|| toml::Table::new().into());
    toml::Table::from_iter([("profile".to_string(), profiles)]).to_string()
}

/// The manifest of the extracted copy: everything but the binary, bench,
/// test and example targets (their files are not embedded) and the profiles
/// (Cargo reads those only at the root of a build).
fn library_manifest() -> String {
    let mut manifest = manifest();
    if let Some(package) = manifest.get_mut("package").and_then(|p| p.as_table_mut()) {
        package.remove("default-run");
    }
    for dropped in ["bin", "bench", "test", "example", "profile"] {
        manifest.remove(dropped);
    }
    manifest.to_string()
}

/// The embedded manifest, parsed.
fn manifest() -> toml::Table {
    MANIFEST.parse().expect("the embedded Cargo.toml is valid TOML (Cargo built it)")
}

/// A fingerprint of everything embedded.
fn stamp() -> String {
    let mut parts: Vec<&[u8]> = vec![MANIFEST.as_bytes(), LOCKFILE.as_bytes()];
    for (file, contents) in SURFACE_FILES {
        parts.extend([file.as_bytes(), contents.as_bytes()]);
    }
    collect_files(&EVALUATOR, &mut parts);
    super::fingerprint(&parts)
}

/// Every embedded file's path and contents, depth first.
fn collect_files(dir: &'static Dir<'static>, parts: &mut Vec<&'static [u8]>) {
    for file in dir.files() {
        parts.push(file.path().as_os_str().as_encoded_bytes());
        parts.push(file.contents());
    }
    for sub in dir.dirs() {
        collect_files(sub, parts);
    }
}

/// Writes an embedded directory tree under `dest`.
fn write_dir(dir: &Dir<'_>, dest: &Path) -> io::Result<()> {
    for file in dir.files() {
        write_if_changed(&dest.join(file.path()), file.contents())?;
    }
    for sub in dir.dirs() {
        write_dir(sub, dest)?;
    }
    Ok(())
}

/// Writes `contents` to `path` (creating its directory) unless the file
/// already holds exactly that, so its modification time only moves when its
/// contents change. Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<bool> {
    let contents = contents.as_ref();
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)?;
    Ok(true)
}

/// Where the library is extracted inside a check cache directory.
pub fn dir_in(cache: &Path) -> PathBuf {
    cache.join("library")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_drops_benches_and_profiles_but_keeps_dependencies() {
        let manifest = library_manifest();
        assert!(manifest.contains("[package]") && manifest.contains("[dependencies]"));
        assert!(!manifest.contains("[[bench]]") && !manifest.contains("[[bin]]") && !manifest.contains("[profile"));
        assert!(manifest.contains("tool = ["), "the features stay: {manifest}");
        assert!(profiles().contains("[profile.dev.package.\"*\"]"), "{}", profiles());
        assert!(dependency_line("nalgebra").unwrap().starts_with("nalgebra = "));
        let reparsed: toml::Table = manifest.parse().unwrap();
        assert_eq!(reparsed["package"]["name"].as_str(), Some("attn-quiz"));
        assert_eq!(dependency_line("nalgebra-lite"), None);
    }

    #[test]
    fn extraction_writes_the_crate_once() {
        let dir = tempfile::tempdir().unwrap();
        extract(dir.path()).unwrap();
        let lib = dir.path().join("src/lib.rs");
        assert!(std::fs::read_to_string(&lib).unwrap().contains("pub mod evaluator;"));
        assert!(dir.path().join("src/evaluator/wire.rs").exists());
        // The answer key and the judge are not there to be read or named.
        assert!(!dir.path().join("src/reference").exists() && !dir.path().join("src/harness").exists());
        // A second extraction sees the stamp and leaves the files alone.
        std::fs::write(&lib, "changed").unwrap();
        extract(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&lib).unwrap(), "changed");
    }
}

#[cfg(test)]
mod surface_tests {
    use super::*;

    #[test]
    fn the_tool_modules_are_read_off_lib_rs() {
        let modules = tool_modules();
        for module in ["reference", "harness", "quiz", "explore", "measure"] {
            assert!(modules.contains(&module), "{modules:?}");
        }
        assert!(!modules.contains(&"prelude") && !modules.contains(&"evaluator"), "{modules:?}");
    }

    /// Every module lib.rs declares without the `tool` feature is extracted.
    #[test]
    fn the_surface_holds_every_module_built_without_the_tool_feature() {
        let lib = SURFACE_FILES[0].1;
        let mut gated = false;
        for line in lib.lines().map(str::trim) {
            if let Some(module) = line.strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';')) {
                let file = format!("{module}.rs");
                let present = module == "evaluator" || SURFACE_FILES.iter().any(|(f, _)| *f == file);
                assert!(gated || present, "lib.rs builds `{module}` for learners, but it is not extracted");
                assert!(!gated || !present, "`{module}` is tool-only but extracted");
            }
            gated = line == "#[cfg(feature = \"tool\")]";
        }
    }
}
