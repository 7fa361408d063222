//! Reads and parses one source file and extracts its facts, dropping the syntax tree.
//!
//! Runs on worker threads with large stacks (syn's parser and our visitors recurse with the
//! nesting of the code). A nesting depth beyond [`MAX_NESTING`] is refused up front with a
//! diagnostic rather than risking the stack. A file that cannot be read or parsed yields
//! empty facts and a diagnostic naming the file, line and syn's message, so the module it
//! belongs to still exists.

use std::path::Path;

use crate::facts::ModFacts;
use crate::load;
use crate::model::{Diagnostic, Severity};
use crate::{collect, data, routes};

/// Deeper bracket nesting than this is not real code; the file is refused.
pub(crate) const MAX_NESTING: usize = 1_000;

/// Stack size of parsing threads.
pub(crate) const PARSE_STACK_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, Default)]
pub(crate) struct FileFacts {
    pub lines: u32,
    pub facts: ModFacts,
    pub routes: routes::FileRoutes,
    pub data: data::FileData,
    /// Set when the file could not be read or parsed.
    pub failed: bool,
}

pub(crate) fn parse_file(root: &Path, relative: &str) -> (FileFacts, Option<Diagnostic>) {
    let text = match load::read_text(root, relative) {
        Ok(text) => text,
        Err(diagnostic) => {
            return (
                FileFacts {
                    failed: true,
                    ..FileFacts::default()
                },
                Some(diagnostic),
            );
        }
    };
    parse_text(relative, &text)
}

pub(crate) fn parse_text(relative: &str, text: &str) -> (FileFacts, Option<Diagnostic>) {
    let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
    let failed = |line: u32, message: String| {
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            file: relative.to_string(),
            line,
            message,
        };
        (
            FileFacts {
                lines,
                failed: true,
                ..FileFacts::default()
            },
            Some(diagnostic),
        )
    };
    if let Some((depth_line, depth)) = too_deep(text) {
        return failed(
            depth_line,
            format!("skipped: brackets nested {depth} deep (the limit is {MAX_NESTING})"),
        );
    }
    let result = match syn::parse_file(text) {
        Ok(file) => {
            let facts = FileFacts {
                lines,
                facts: collect::collect(&file, lines),
                routes: if routes::may_declare_routes(text) {
                    routes::collect(&file)
                } else {
                    routes::FileRoutes::default()
                },
                data: data::collect(&file, text),
                failed: false,
            };
            drop(file);
            Ok(facts)
        }
        Err(error) => Err((collect::line_of(error.span()), describe_parse_error(&error))),
    };
    // Spans of this file are no longer used; let proc-macro2 forget the source it keeps.
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(facts) => (facts, None),
        Err((line, message)) => failed(line, format!("cannot parse: {message}")),
    }
}

/// syn's message, made actionable where it is terse: a lexer failure means the file's
/// brackets or literals do not balance.
fn describe_parse_error(error: &syn::Error) -> String {
    let message = error.to_string();
    if message == "cannot parse string into token stream" {
        format!("unbalanced delimiters or an unterminated literal ({message})")
    } else {
        message
    }
}

/// The line where bracket nesting first exceeds [`MAX_NESTING`], skipping strings and
/// comments. A cheap guard: one pass over the bytes that skips uninteresting ones by table
/// and counts no lines; only a file that is too deep is scanned again for the line.
fn too_deep(text: &str) -> Option<(u32, usize)> {
    if nests_too_deep(text.as_bytes()) {
        too_deep_with_line(text)
    } else {
        None
    }
}

/// Bytes that change the state of [`nests_too_deep`]'s scan outside strings and comments.
const INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let mut idx = 0;
    let bytes = b"([{)]}/\"";
    while idx < bytes.len() {
        table[bytes[idx] as usize] = true;
        idx += 1;
    }
    table
};

/// Whether nesting exceeds [`MAX_NESTING`]: the same state machine as
/// [`too_deep_with_line`], without line numbers.
fn nests_too_deep(bytes: &[u8]) -> bool {
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        if !INTERESTING[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = bytes[i..]
                    .iter()
                    .position(|&byte| byte == b'\n')
                    .map_or(bytes.len(), |offset| i + offset);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// [`too_deep`] with the line where it happens.
fn too_deep_with_line(text: &str) -> Option<(u32, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut line, mut i) = (0usize, 1u32, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((line, depth));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    } else if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_syntax_errors_with_line() {
        let (facts, diagnostic) = parse_text("src/bad.rs", "fn ok() {}\n\nfn broken( {\n");
        let diagnostic = diagnostic.expect("a diagnostic");
        assert!(facts.failed);
        assert_eq!(diagnostic.file, "src/bad.rs");
        assert_eq!(diagnostic.line, 3);
        assert!(
            diagnostic.message.starts_with("cannot parse"),
            "{}",
            diagnostic.message
        );
    }

    #[test]
    fn refuses_absurd_nesting_without_crashing() {
        let text = format!(
            "fn f() {{ let x = {}1{}; }}",
            "(".repeat(5_000),
            ")".repeat(5_000)
        );
        let (_, diagnostic) = parse_text("src/deep.rs", &text);
        assert!(diagnostic.expect("a diagnostic").message.contains("nested"));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "// {}\nconst S: &str = \"{}\";\n",
            "(".repeat(2_000),
            "[".repeat(2_000)
        );
        assert_eq!(too_deep(&text), None);
    }

    #[test]
    fn fast_scan_agrees_with_the_line_counting_one() {
        let deep = "(".repeat(MAX_NESTING + 1);
        let texts = [
            format!("fn f() {{}}\n{deep}"),
            format!("// {deep}\n/* {deep} */ \"{deep}\\\"\" x"),
            format!("/* a *//{deep}\n{deep}"),
            format!("\"unterminated {deep}"),
            format!("/* unterminated {deep}"),
            format!("a\n\nb ({deep}"),
        ];
        for text in &texts {
            assert_eq!(
                nests_too_deep(text.as_bytes()),
                too_deep_with_line(text).is_some(),
                "{text:?}"
            );
        }
        assert_eq!(too_deep(&texts[5]).map(|(line, _)| line), Some(3));
    }
}
