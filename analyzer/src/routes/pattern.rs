//! Route path normalisation and joining: every framework's parameter syntax becomes `{name}`
//! and `{*name}`, and prefixes join without doubled or lost slashes.
//!
//! Understood syntaxes: axum 0.8 `{id}`/`{*rest}`, axum 0.7 `:id`/`*rest`, actix-web
//! `{id}`/`{id:regex}` (a trailing `{tail:.*}` or `{tail:.+}` is a wildcard) and rocket
//! `<id>`/`<path..>` with the query part (`?<q>`) dropped. Not done: validating paths (a path
//! the framework would reject is passed through), percent-decoding, or collapsing routes that
//! differ only in parameter names.

/// Normalises one path as written: parameters as `{name}`/`{*name}`, no query, no empty
/// segments, a leading `/` unless empty. Keeps a trailing `/` after a non-empty segment.
pub(super) fn normalize(path: &str) -> String {
    join("", path)
}

/// `prefix` (already normalised, or empty) followed by `path` (as written). The trailing slash
/// of the result is that of `path` when `path` has a segment: `/api` + `/` is `/api`, `/api/`
/// + `/x` is `/api/x`, `` + `/x` is `/x`, `/api` + `` is `/api`.
pub(super) fn join(prefix: &str, path: &str) -> String {
    let path = strip_query(path);
    let segments = split(path);
    if segments.is_empty() {
        return prefix.to_string();
    }
    let mut out = String::with_capacity(prefix.len() + path.len() + 2);
    out.push_str(prefix.strip_suffix('/').unwrap_or(prefix));
    let last = segments.len() - 1;
    for (idx, segment) in segments.into_iter().enumerate() {
        out.push('/');
        out.push_str(&segment_param(segment, idx == last));
    }
    if path.ends_with('/') {
        out.push('/');
    }
    out
}

/// A finished path: empty becomes `/`.
pub(super) fn finish(path: String) -> String {
    if path.is_empty() {
        "/".to_string()
    } else {
        path
    }
}

/// Cuts a query part (`?<q>` in rocket) at depth 0, outside `{..}` and `<..>`.
fn strip_query(path: &str) -> &str {
    let mut depth = 0usize;
    for (idx, ch) in path.char_indices() {
        match ch {
            '{' | '<' => depth += 1,
            '}' | '>' => depth = depth.saturating_sub(1),
            '?' if depth == 0 => return &path[..idx],
            _ => {}
        }
    }
    path
}

/// Non-empty segments, not splitting inside `{..}` (actix regexes may hold `/`).
fn split(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (idx, ch) in path.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => {
                if idx > start {
                    segments.push(&path[start..idx]);
                }
                start = idx + 1;
            }
            _ => {}
        }
    }
    if path.len() > start {
        segments.push(&path[start..]);
    }
    segments
}

/// One segment with its parameter written the common way.
fn segment_param(segment: &str, is_last: bool) -> String {
    if let Some(inner) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        return match inner.strip_suffix("..") {
            Some(name) => format!("{{*{name}}}"),
            None => format!("{{{inner}}}"),
        };
    }
    if let Some(name) = segment.strip_prefix(':').filter(|name| !name.is_empty()) {
        return format!("{{{name}}}");
    }
    if let Some(name) = segment.strip_prefix('*').filter(|name| !name.is_empty()) {
        return format!("{{*{name}}}");
    }
    if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
        && !inner.starts_with('*')
        && let Some((name, regex)) = inner.split_once(':')
    {
        let name = name.trim();
        let regex = regex.trim();
        let rest = is_last && (regex == ".*" || regex == ".+");
        return if rest {
            format!("{{*{name}}}")
        } else {
            format!("{{{name}}}")
        };
    }
    segment.to_string()
}

#[cfg(test)]
mod tests {
    use super::{finish, join, normalize};

    #[test]
    fn params_of_every_syntax() {
        assert_eq!(
            normalize("/users/{id}/files/{*rest}"),
            "/users/{id}/files/{*rest}"
        );
        assert_eq!(
            normalize("/users/:id/files/*rest"),
            "/users/{id}/files/{*rest}"
        );
        assert_eq!(
            normalize("/users/<id>/files/<path..>"),
            "/users/{id}/files/{*path}"
        );
        assert_eq!(
            normalize("/users/{id:\\d+}/{tail:.*}"),
            "/users/{id}/{*tail}"
        );
        assert_eq!(normalize("/re/{p:[a-z/]+}/x"), "/re/{p}/x");
        assert_eq!(normalize("/search?<q>&<page>"), "/search");
        assert_eq!(normalize("/a//b"), "/a/b");
        assert_eq!(normalize("users"), "/users");
        assert_eq!(normalize("/users/"), "/users/");
        assert_eq!(normalize("/"), "");
    }

    #[test]
    fn joins_without_doubling_or_losing_slashes() {
        assert_eq!(finish(join("/api", "/")), "/api");
        assert_eq!(finish(join("/api/", "/x")), "/api/x");
        assert_eq!(finish(join("", "/x")), "/x");
        assert_eq!(finish(join("/api", "")), "/api");
        assert_eq!(finish(join("", "")), "/");
        assert_eq!(finish(join("", "/")), "/");
        assert_eq!(finish(join(&normalize("/api/"), "x")), "/api/x");
        assert_eq!(finish(join("/api", "/users/")), "/api/users/");
    }
}
