//! The annotated reference source, as `attn-quiz show` prints it.
//!
//! The text is the module's real source file, embedded at build time
//! ([`catalog::MODULES`]). On a terminal, comments are coloured and code is
//! left plain; otherwise the output is the file, byte for byte.
//!
//! ```
//! use attn_quiz::explore::source::{Kind, spans};
//!
//! let kinds: Vec<Kind> = spans("/// Doc.\nlet s = \"a // b\"; // note\n").iter().map(|s| s.kind).collect();
//! assert_eq!(kinds, [Kind::DocComment, Kind::Code, Kind::Comment, Kind::Code]);
//! ```

use super::Error;
use super::table::{Align, Table};
use crate::reference::catalog::{self, Module};
use colored::Colorize;

/// What a piece of source text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Code, string literals and line breaks.
    Code,
    /// A documentation comment (`///` or `//!`) up to the end of its line.
    DocComment,
    /// An ordinary line comment (`//`) up to the end of its line.
    Comment,
}

/// A run of source text of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'a> {
    /// What the text is.
    pub kind: Kind,
    /// The text itself; the spans of a source, concatenated, give it back.
    pub text: &'a str,
}

/// The module called `name`, or the module implementing the variant called `name`.
///
/// # Errors
/// [`Error::Unknown`], listing the modules, if there is none.
pub fn module(name: &str) -> Result<&'static Module, Error> {
    catalog::find(name).ok_or_else(|| Error::Unknown {
        what: "module or variant",
        name: name.to_string(),
        choices: catalog::MODULES.iter().map(|m| m.name).collect::<Vec<_>>().join(", "),
    })
}

/// The module's source, comments coloured (when colours are on) and code plain.
pub fn render(module: &Module) -> String {
    spans(module.source)
        .iter()
        .map(|span| match span.kind {
            Kind::Code => span.text.normal(),
            Kind::DocComment => span.text.green(),
            Kind::Comment => span.text.cyan(),
        })
        .map(|styled| styled.to_string())
        .collect()
}

/// The modules in reading order: name, title, and the other names that lead to each.
pub fn listing() -> String {
    let mut table = Table::new(&[("module", Align::Left), ("title", Align::Left), ("also", Align::Left)]);
    for module in catalog::MODULES {
        table.row(vec![module.name.to_string(), module.title.to_string(), other_names(module).join(", ")]);
    }
    format!("The reference, in reading order (attn-quiz show <module>):\n\n{}", table.render())
}

/// The variant names and aliases, other than the module's own name, that `show` maps to `module`.
fn other_names(module: &Module) -> Vec<&'static str> {
    let variants = catalog::VARIANTS.iter().filter(|v| v.module == module.name);
    let names = variants.flat_map(|v| std::iter::once(v.name).chain(v.aliases.iter().copied()));
    names.filter(|&name| name != module.name).collect()
}

/// Splits Rust source into code and comment spans.
///
/// A small scanner, enough for the reference: it knows line comments, string
/// literals (which may span lines and hide a `//`) and char literals such as
/// `'"'`. Raw strings and block comments are not recognised (the reference
/// uses neither).
pub fn spans(source: &str) -> Vec<Span<'_>> {
    let mut spans = Vec::new();
    let (mut code_start, mut line_start, mut in_string) = (0, 0, false);
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(offset) = find_comment(body, &mut in_string) {
            let comment = &source[line_start + offset..line_start + body.len()];
            spans.push(Span { kind: Kind::Code, text: &source[code_start..line_start + offset] });
            spans.push(Span { kind: comment_kind(comment), text: comment });
            code_start = line_start + body.len();
        }
        line_start += line.len();
    }
    spans.push(Span { kind: Kind::Code, text: &source[code_start..] });
    spans.retain(|span| !span.text.is_empty());
    spans
}

/// The kind of a comment that starts with `//`.
fn comment_kind(comment: &str) -> Kind {
    let is_doc = comment.starts_with("//!") || (comment.starts_with("///") && !comment.starts_with("////"));
    if is_doc { Kind::DocComment } else { Kind::Comment }
}

/// The byte offset of the `//` that starts a comment on `line`, if any.
///
/// `in_string` says whether the line starts inside a string literal and is
/// updated to whether it ends inside one.
fn find_comment(line: &str, in_string: &mut bool) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (*in_string, bytes[i]) {
            (true, b'\\') => i += 1, // the escaped byte cannot end the string
            (_, b'"') => *in_string = !*in_string,
            (false, b'\'') => i += char_literal_len(&bytes[i..]) - 1,
            (false, b'/') if bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of the char literal starting at `rest[0] == '\''` (`'"'`,
/// `'\''`, `'\u{1F600}'`), or 1 for the quote of a lifetime (`'static`).
fn char_literal_len(rest: &[u8]) -> usize {
    match rest {
        [b'\'', b'\\', _, tail @ ..] => tail.iter().position(|&b| b == b'\'').map_or(1, |end| end + 4),
        [b'\'', _, b'\'', ..] => 3,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans of `source` as (kind, text) pairs.
    fn split(source: &str) -> Vec<(Kind, &str)> {
        spans(source).into_iter().map(|s| (s.kind, s.text)).collect()
    }

    #[test]
    fn comments_and_code_are_told_apart() {
        assert_eq!(
            split("//! Module doc.\n    let x = 1; // (l, d)\n"),
            [
                (Kind::DocComment, "//! Module doc."),
                (Kind::Code, "\n    let x = 1; "),
                (Kind::Comment, "// (l, d)"),
                (Kind::Code, "\n")
            ]
        );
        assert_eq!(split("//// not a doc comment"), [(Kind::Comment, "//// not a doc comment")]);
    }

    #[test]
    fn slashes_in_strings_and_char_literals_are_code() {
        assert_eq!(split(r#"f("a // b", '"', '\'', "//"); // c"#)[1], (Kind::Comment, "// c"));
        // A string that spans lines hides the `//` on its second line.
        assert_eq!(split("let s = \"one\n// two\";\n"), [(Kind::Code, "let s = \"one\n// two\";\n")]);
        assert_eq!(split(r#"let s = "\"//"; // c"#)[1], (Kind::Comment, "// c"));
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        assert_eq!(split("x: &'static str, y: &'a str // c")[1], (Kind::Comment, "// c"));
    }

    #[test]
    fn spans_give_every_reference_file_back() {
        for module in catalog::MODULES {
            let joined: String = spans(module.source).iter().map(|s| s.text).collect();
            assert_eq!(joined, module.source, "{}", module.name);
        }
    }

    #[test]
    fn unknown_names_list_the_modules() {
        let message = module("no_such_module").unwrap_err().to_string();
        let expected = "unknown module or variant `no_such_module`; choose one of: softmax, mask,";
        assert!(message.starts_with(expected), "{message}");
    }
}
