//! Module path patterns, the way a plan file names modules: `a::b` exactly, `a::b::*` its
//! direct children, `a::b::**` every descendant; and the precedence that decides which pattern
//! owns a module when several match.
//!
//! Patterns match module ids as the analysis writes them (`crate::a::b`, the crate name as
//! code sees it). They never resolve anything: `a::b` is compared as text with the ids it is
//! asked about, so a pattern naming a module that does not exist is not an error here.

use std::fmt;

/// A module path pattern from the plan file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModulePattern {
    /// The module path before any wildcard, `a::b` for `a::b::**`.
    prefix: String,
    kind: PatternKind,
}

/// What a pattern matches besides its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PatternKind {
    /// `a::b`: that module only.
    Exact,
    /// `a::b::*`: the modules directly inside `a::b`, not `a::b` itself.
    Children,
    /// `a::b::**`: every module inside `a::b` at any depth, not `a::b` itself.
    Descendants,
}

/// How specific a matching pattern is: the most specific match owns a module. Compares
/// greater for more specific patterns; see [`ModulePattern::specificity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Specificity {
    prefix_segments: usize,
    kind_rank: u8,
}

/// Why a text is not a module pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("empty module path")]
    Empty,
    #[error("empty segment (two `::` in a row, or `::` at an end)")]
    EmptySegment,
    #[error("`{wildcard}` must be the last segment")]
    WildcardNotLast { wildcard: String },
    #[error("`{wildcard}` needs a module before it, as in `my_crate::{wildcard}`")]
    WildcardAlone { wildcard: String },
    #[error("start with the crate name as code sees it (`my_crate::a`), not `{keyword}`")]
    RelativePath { keyword: String },
    #[error("`{segment}` is not a module name")]
    InvalidSegment { segment: String },
}

impl ModulePattern {
    /// Parses a pattern as written in the plan file.
    pub fn parse(text: &str) -> Result<ModulePattern, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let segments: Vec<&str> = text.split("::").collect();
        let last = segments.len() - 1;
        let (kind, literal) = match segments[last] {
            "*" => (PatternKind::Children, &segments[..last]),
            "**" => (PatternKind::Descendants, &segments[..last]),
            _ => (PatternKind::Exact, &segments[..]),
        };
        if literal.is_empty() {
            return Err(PatternError::WildcardAlone {
                wildcard: segments[last].to_string(),
            });
        }
        for (idx, segment) in literal.iter().enumerate() {
            check_segment(segment, idx == 0)?;
        }
        let prefix_len = text.len()
            - if kind == PatternKind::Exact {
                0
            } else {
                segments[last].len() + 2
            };
        Ok(ModulePattern {
            prefix: text[..prefix_len].to_string(),
            kind,
        })
    }

    /// The pattern matching exactly one module id. The id is taken as the analysis wrote it;
    /// use [`ModulePattern::parse`] for text a person wrote.
    pub fn exact(module: &str) -> Result<ModulePattern, PatternError> {
        let pattern = ModulePattern::parse(module)?;
        match pattern.kind {
            PatternKind::Exact => Ok(pattern),
            _ => Err(PatternError::InvalidSegment {
                segment: module.rsplit("::").next().unwrap_or(module).to_string(),
            }),
        }
    }

    /// `a::b` followed by `::**`: every module inside `module`.
    pub fn descendants_of(module: &str) -> Result<ModulePattern, PatternError> {
        let exact = ModulePattern::exact(module)?;
        Ok(ModulePattern {
            prefix: exact.prefix,
            kind: PatternKind::Descendants,
        })
    }

    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The module path before any wildcard.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether `module` (a module id) is matched by this pattern.
    pub fn matches(&self, module: &str) -> bool {
        match self.kind {
            PatternKind::Exact => module == self.prefix,
            PatternKind::Children => self
                .rest_after_prefix(module)
                .is_some_and(|rest| !rest.contains("::")),
            PatternKind::Descendants => self.rest_after_prefix(module).is_some(),
        }
    }

    /// How specific this pattern is. When several patterns match one module, the greatest
    /// specificity wins: an exact path beats `*`, which beats `**`, and among `**` patterns the
    /// longer prefix wins. Two different patterns that match one module never tie.
    pub fn specificity(&self) -> Specificity {
        let prefix_segments = self.prefix.split("::").count();
        match self.kind {
            PatternKind::Exact => Specificity {
                prefix_segments,
                kind_rank: 2,
            },
            PatternKind::Children => Specificity {
                prefix_segments,
                kind_rank: 1,
            },
            PatternKind::Descendants => Specificity {
                prefix_segments,
                kind_rank: 0,
            },
        }
    }

    /// Text after `prefix::` when `module` is inside the prefix, non-empty.
    fn rest_after_prefix<'m>(&self, module: &'m str) -> Option<&'m str> {
        module
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix("::")
            .filter(|rest| !rest.is_empty())
    }
}

impl fmt::Display for ModulePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prefix)?;
        match self.kind {
            PatternKind::Exact => Ok(()),
            PatternKind::Children => f.write_str("::*"),
            PatternKind::Descendants => f.write_str("::**"),
        }
    }
}

/// Checks one literal segment. The first segment may carry the suffixes the analysis gives a
/// crate id to keep targets apart (`app[bin]`, `app#2`).
fn check_segment(segment: &str, is_first: bool) -> Result<(), PatternError> {
    if segment.is_empty() {
        return Err(PatternError::EmptySegment);
    }
    if segment == "*" || segment == "**" {
        return Err(PatternError::WildcardNotLast {
            wildcard: segment.to_string(),
        });
    }
    if is_first && matches!(segment, "crate" | "self" | "super" | "$crate") {
        return Err(PatternError::RelativePath {
            keyword: segment.to_string(),
        });
    }
    let invalid = || PatternError::InvalidSegment {
        segment: segment.to_string(),
    };
    let mut name = segment;
    if is_first {
        if let Some((before, count)) = name.rsplit_once('#')
            && !count.is_empty()
            && count.bytes().all(|byte| byte.is_ascii_digit())
        {
            name = before;
        }
        if let Some(before) = name.strip_suffix(']') {
            let (before, kind) = before.split_once('[').ok_or_else(invalid)?;
            if !is_identifier(kind) {
                return Err(invalid());
            }
            name = before;
        }
    }
    let name = name.strip_prefix("r#").unwrap_or(name);
    if is_identifier(name) {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// A Rust identifier (ASCII or Unicode letters, digits and `_`, not starting with a digit,
/// not `_` alone).
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && text != "_"
        && chars.all(|char| char.is_alphanumeric() || char == '_')
}
