//! The generated Cargo package that turns a learner's file into an evaluator
//! program, and the cache it lives in.
//!
//! Layout of the check cache (`$ATTN_QUIZ_CACHE_DIR`, else the platform cache
//! directory, `~/.cache/attn-quiz/check` on Linux):
//!
//! ```text
//! lock                     held for the whole of one check (build and run)
//! library/                 the learner's surface of the library, see super::library
//! packages/<exercise>/     Cargo.toml, Cargo.lock, src/main.rs
//! target/                  build output, unless a project target dir is shared
//! ```
//!
//! `src/main.rs` pulls the learner's file in with `#[path = "/abs/file.rs"] mod
//! learner;` and hands the learner's function to the evaluator. Files are only
//! rewritten when their contents change, so re-checking an edited file costs
//! one incremental compile of that one small crate.
//!
//! The target directory: when `attn-quiz` itself runs from a Cargo target
//! directory (`target/debug/attn-quiz` or `target/release/attn-quiz`), the
//! package builds into that same directory with the same profile, where a
//! `cargo build` of attn-quiz has already compiled every dependency with the
//! same versions (the lockfile is copied), features and profile settings; only
//! the library and the learner's crate are compiled.
//! An installed binary uses `target/` inside the cache instead, and its
//! first check compiles the dependencies once.

use super::exercises::Exercise;
use super::library;
use anyhow::{Context, bail};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the check cache directory.
pub const CACHE_DIR_ENV: &str = "ATTN_QUIZ_CACHE_DIR";

/// The check cache directory: `$ATTN_QUIZ_CACHE_DIR`, else the platform's.
pub fn cache_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        // Absolute, because the generated manifest names the library by path.
        return std::path::absolute(&dir).with_context(|| format!("resolving {CACHE_DIR_ENV}"));
    }
    let dirs = directories::ProjectDirs::from("", "", "attn-quiz")
        .with_context(|| format!("cannot determine a cache directory: set {CACHE_DIR_ENV}"))?;
    Ok(dirs.cache_dir().join("check"))
}

/// Where and how to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Cargo target directory.
    pub dir: PathBuf,
    /// Build with `--release`: attn-quiz itself was, so that is where its
    /// dependencies are already compiled.
    pub release: bool,
}

/// The Cargo target directory and profile to build with: those `attn-quiz`
/// itself was built with, if it runs from a target directory
/// (`<target>/debug/attn-quiz`, `<target>/release/attn-quiz`), else `target/`
/// in the cache with the dev profile.
pub fn target(cache: &Path) -> Target {
    let exe = std::env::current_exe().ok();
    let profile_dir = exe.as_deref().and_then(Path::parent);
    // Cargo marks every target directory with a CACHEDIR.TAG.
    match profile_dir.and_then(|p| Some((p.file_name()?, p.parent()?))) {
        Some((profile, dir)) if dir.join("CACHEDIR.TAG").is_file() => {
            Target { dir: dir.to_path_buf(), release: profile == "release" }
        }
        _ => Target { dir: cache.join("target"), release: false },
    }
}

/// Takes the cache's lock, waiting (with a message) while another check holds it.
/// The lock is released when the returned file is dropped.
pub fn lock(cache: &Path) -> anyhow::Result<File> {
    std::fs::create_dir_all(cache).with_context(|| format!("creating the check cache {}", cache.display()))?;
    let path = cache.join("lock");
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    if file.try_lock().is_err() {
        eprintln!("waiting for another `attn-quiz check` to finish (lock {})", path.display());
        file.lock().with_context(|| format!("locking {}", path.display()))?;
    }
    Ok(file)
}

/// A generated package, ready to build.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its `Cargo.toml`.
    pub manifest: PathBuf,
    /// Package name, which is also the name of its binary.
    pub name: String,
    /// The path the generated `main.rs` includes the learner's file from.
    pub learner_file: PathBuf,
}

/// Which program a generated package makes of the learner's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// The evaluator `check` judges: it serves the judge's calls, and the
    /// learner's crate is built unoptimised with overflow checks, to catch mistakes.
    Evaluator,
    /// The timing program `bench` runs: the learner's crate optimised
    /// (`opt-level = 3`, no overflow checks), because a learner who asks how
    /// fast their code is means the optimised build. Built with `--release`.
    Timing,
}

impl Program {
    /// The command that generates it, and the prefix of its package's name.
    fn command(self) -> &'static str {
        match self {
            Program::Evaluator => "check",
            Program::Timing => "bench",
        }
    }

    /// Its packages' folder in the cache.
    fn folder(self) -> &'static str {
        match self {
            Program::Evaluator => "packages",
            Program::Timing => "bench-packages",
        }
    }
}

/// Writes (or refreshes) the package that makes `program` of `learner_file`
/// as `exercise`, extracting the library first. Call with the cache [`lock`] held.
pub fn prepare(cache: &Path, program: Program, exercise: &Exercise, learner_file: &Path) -> anyhow::Result<Package> {
    let learner_file =
        std::path::absolute(learner_file).with_context(|| format!("resolving the path {}", learner_file.display()))?;
    let Some(learner_path) = learner_file.to_str() else {
        bail!("{} is not a UTF-8 path; rename or move the file", learner_file.display());
    };
    let library_dir = library::dir_in(cache);
    library::extract(&library_dir).with_context(|| format!("writing the library into {}", library_dir.display()))?;
    let name = format!("{}-{}", program.command(), exercise.name.replace('_', "-"));
    let dir = cache.join(program.folder()).join(exercise.name);
    let write = |relative: &str, contents: &str| {
        let path = dir.join(relative);
        library::write_if_changed(&path, contents).with_context(|| format!("writing {}", path.display()))
    };
    write("Cargo.toml", &manifest(&name, &library_dir, program)?)?;
    // Cargo adds the package itself to its copy of the lockfile, so the copy is
    // only replaced when attn-quiz's own lockfile changes.
    let lock_stamp = super::fingerprint(&[library::LOCKFILE.as_bytes()]);
    if std::fs::read_to_string(dir.join(LOCK_STAMP)).ok() != Some(lock_stamp.clone()) {
        write("Cargo.lock", library::LOCKFILE)?;
        write(LOCK_STAMP, &lock_stamp)?;
    }
    write("src/main.rs", &main_rs(exercise, learner_path, program))?;
    Ok(Package { manifest: dir.join("Cargo.toml"), name, learner_file })
}

/// Records which lockfile of attn-quiz the package's `Cargo.lock` was copied from.
const LOCK_STAMP: &str = "Cargo.lock.stamp";

/// The package's `Cargo.toml`.
fn manifest(name: &str, library_dir: &Path, program: Program) -> anyhow::Result<String> {
    let Some(library_path) = library_dir.to_str() else {
        bail!("the check cache {} is not a UTF-8 path; set {CACHE_DIR_ENV}", library_dir.display());
    };
    let nalgebra = library::dependency_line("nalgebra").context("the embedded manifest has no nalgebra dependency")?;
    let profiles = library::profiles();
    let learner_profile = match program {
        Program::Evaluator => format!(
            "# The learner's crate: line tables only (they name the learner's line\n\
             # that called into a panicking library, and link fast); overflow checks\n\
             # and debug assertions on, as in a debug build, with either profile.\n\
             [profile.dev.package.{name}]\ndebug = \"line-tables-only\"\n\n\
             [profile.release.package.{name}]\nopt-level = 0\ndebug = \"line-tables-only\"\n\
             debug-assertions = true\noverflow-checks = true\n"
        ),
        Program::Timing => format!(
            "# The learner's crate, optimised: this build is for timing it.\n\
             [profile.release.package.{name}]\nopt-level = 3\ndebug-assertions = false\noverflow-checks = false\n"
        ),
    };
    Ok(format!(
        "# Generated by `attn-quiz {command}`; rewritten as needed.\n\
         [package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nattn-quiz = {{ path = {library}, default-features = false }}\n{nalgebra}\n\n\
         # A package of its own, even inside another project's folder.\n[workspace]\n\n\
         {profiles}\n\
         # The learner's surface of the library optimised like the dependencies: it is\n\
         # small (a second to compile, once), and it decodes every call.\n\
         [profile.dev.package.attn-quiz]\nopt-level = 2\n\n\
         [profile.release.package.attn-quiz]\nopt-level = 2\n\n\
         {learner_profile}",
        command = program.command(),
        library = toml_string(library_path),
    ))
}

/// The package's `src/main.rs`.
fn main_rs(exercise: &Exercise, learner_path: &str, program: Program) -> String {
    let (what, import, run) = match program {
        Program::Evaluator => ("an evaluator that answers the judge's calls", "serve", "serve"),
        Program::Timing => ("a timing program for `attn-quiz bench`", "timing", "timing::run"),
    };
    format!(
        "// Generated by `attn-quiz {command}`: the learner's file as {what}\n\
         // (attn_quiz::evaluator); it judges nothing.\n\
         #[path = {path:?}]\nmod learner;\n\n\
         #[global_allocator]\n\
         static HEAP: attn_quiz::evaluator::heap::CountingAllocator = attn_quiz::evaluator::heap::CountingAllocator;\n\n\
         fn main() -> std::process::ExitCode {{\n    \
         use attn_quiz::evaluator::{{Learner, {import}}};\n    \
         {run}(Learner::{variant}(learner::{function}))\n}}\n",
        command = program.command(),
        path = learner_path,
        variant = exercise.learner_variant,
        function = exercise.function,
    )
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The generated main, relative to the package: rustc errors located there
/// mean the learner's function is missing, private or has the wrong signature.
pub const MAIN_RS: &str = "src/main.rs";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::exercises;

    #[test]
    fn the_main_includes_the_file_and_names_the_function() {
        let main = main_rs(exercises::find("gqa").unwrap(), "/tmp/my \"gqa\".rs", Program::Evaluator);
        assert!(main.contains(r#"#[path = "/tmp/my \"gqa\".rs"]"#), "{main}");
        assert!(main.contains("serve(Learner::Gqa(learner::grouped_query_attention))"), "{main}");
    }

    #[test]
    fn the_manifest_depends_on_the_extracted_library() {
        let toml = manifest("check-mha", Path::new("/cache/library"), Program::Evaluator).unwrap();
        assert!(toml.contains("attn-quiz = { path = \"/cache/library\", default-features = false }"), "{toml}");
        assert!(toml.contains("\nnalgebra = "), "{toml}");
        assert!(toml.contains("[profile.dev.package.check-mha]\ndebug = \"line-tables-only\""), "{toml}");
    }

    #[test]
    fn the_timing_main_calls_the_learners_function_and_the_crate_is_optimised() {
        let main = main_rs(exercises::find("mha").unwrap(), "/tmp/mha.rs", Program::Timing);
        assert!(main.contains("timing::run(Learner::Mha(learner::multi_head_attention))"), "{main}");
        let toml = manifest("bench-mha", Path::new("/cache/library"), Program::Timing).unwrap();
        assert!(toml.contains("[profile.release.package.bench-mha]\nopt-level = 3"), "{toml}");
        assert!(toml.contains("attn-quiz = { path = \"/cache/library\", default-features = false }"), "{toml}");
        assert!(!toml.contains("overflow-checks = true"), "{toml}");
    }
}
