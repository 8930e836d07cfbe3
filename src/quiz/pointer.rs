//! Reference pointers: every question names the item of the library that
//! teaches it, and that item must exist.
//!
//! Accepted forms:
//! - `reference::<module>` — a reference module, e.g. `reference::softmax`;
//! - `reference::<module>::<item>` — a public item declared in that module,
//!   e.g. `reference::gqa::grouped_query_attention`;
//! - `layers::<item>` — a weight type or the linear layer, e.g. `layers::Linear`.
//!
//! Modules are looked up in the reference's own
//! [`catalog`], and items in the module's embedded
//! source, so a pointer breaks (and the bank tests fail) as soon as the item it
//! names is renamed or removed.

use crate::reference::catalog;

/// The source of `src/layers.rs`, for `layers::` pointers.
const LAYERS_SOURCE: &str = include_str!("../layers.rs");

/// The item keywords that declare something a pointer may name.
const DECLARATIONS: [&str; 6] = ["fn", "struct", "enum", "type", "const", "trait"];

/// A pointer that resolved: where to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The file to open, relative to the project root (e.g. `src/reference/gqa.rs`).
    pub file: String,
}

/// Resolves `pointer`, or says why it does not resolve.
pub fn resolve(pointer: &str) -> Result<Resolved, String> {
    let parts: Vec<&str> = pointer.split("::").collect();
    match parts.as_slice() {
        ["reference", module] => reference_module(module).map(|_| reference_file(module)),
        ["reference", module, item] => {
            let source = reference_module(module)?;
            declared(source, item, pointer).map(|()| reference_file(module))
        }
        ["layers", item] => declared(LAYERS_SOURCE, item, pointer).map(|()| Resolved { file: "src/layers.rs".into() }),
        _ => Err(format!(
            "reference `{pointer}` is not of the form reference::<module>, reference::<module>::<item> or layers::<item>"
        )),
    }
}

/// The embedded source of reference module `name`.
fn reference_module(name: &str) -> Result<&'static str, String> {
    catalog::find(name).map(|m| m.source).ok_or_else(|| {
        let known: Vec<&str> = catalog::MODULES.iter().map(|m| m.name).collect();
        format!("reference module `{name}` does not exist (modules: {})", known.join(", "))
    })
}

/// The file of reference module `name`.
fn reference_file(name: &str) -> Resolved {
    Resolved { file: format!("src/reference/{name}.rs") }
}

/// Checks that `source` declares a public item called `item`.
fn declared(source: &str, item: &str, pointer: &str) -> Result<(), String> {
    let found = DECLARATIONS.iter().any(|keyword| declares(source, &format!("pub {keyword} {item}")));
    if found { Ok(()) } else { Err(format!("reference `{pointer}`: no public item `{item}` is declared there")) }
}

/// Whether `source` contains `declaration` followed by something that ends the
/// name (so `pub fn softmax` does not match `pub fn softmax_rows`).
fn declares(source: &str, declaration: &str) -> bool {
    source.match_indices(declaration).any(|(at, _)| {
        let next = source[at + declaration.len()..].chars().next();
        next.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_items_and_layers_resolve() {
        assert_eq!(resolve("reference::softmax").unwrap().file, "src/reference/softmax.rs");
        assert_eq!(resolve("reference::gqa::grouped_query_attention").unwrap().file, "src/reference/gqa.rs");
        assert_eq!(resolve("layers::Linear").unwrap().file, "src/layers.rs");
    }

    #[test]
    fn missing_items_and_bad_forms_do_not_resolve() {
        assert!(resolve("reference::nope").unwrap_err().contains("does not exist"));
        assert!(resolve("reference::softmax::softmax").unwrap_err().contains("no public item"));
        assert!(resolve("reference::gqa::kv_head").is_err(), "a prefix of kv_head_for is not an item");
        assert!(resolve("reference::softmax::check_mask").is_err(), "crate-private items are not pointers");
        assert!(resolve("softmax").unwrap_err().contains("not of the form"));
        assert!(resolve("layers::Linear::forward").is_err());
    }
}
