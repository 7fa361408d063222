//! Domain terms in names: `invoice_service`, `InvoiceLine` and `invoices` all carry the term
//! `invoice`. This is how a layered monolith's vertical slices show through its layers.
//!
//! Splits snake_case and CamelCase, lower-cases, folds simple English plurals, and drops words
//! that name technical roles rather than business concepts (`handlers`, `service`, `repo`...).

/// Words that say what code does technically, not which business concept it belongs to.
const TECHNICAL: &[&str] = &[
    "api",
    "app",
    "application",
    "adapter",
    "base",
    "builder",
    "client",
    "common",
    "config",
    "controller",
    "core",
    "crate",
    "dao",
    "data",
    "db",
    "domain",
    "dto",
    "entity",
    "error",
    "errors",
    "extract",
    "handler",
    "helper",
    "http",
    "impl",
    "infra",
    "internal",
    "io",
    "lib",
    "main",
    "manager",
    "mapper",
    "mod",
    "model",
    "module",
    "mut",
    "new",
    "prelude",
    "repo",
    "repository",
    "request",
    "resource",
    "response",
    "result",
    "route",
    "router",
    "schema",
    "self",
    "server",
    "service",
    "shared",
    "src",
    "state",
    "store",
    "super",
    "test",
    "tests",
    "type",
    "types",
    "util",
    "utils",
    "view",
    "web",
];

/// The domain terms of a name, in order of appearance, without duplicates.
pub fn terms(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words(name) {
        if word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let term = singular(&word);
        let technical = TECHNICAL.contains(&term.as_str()) || TECHNICAL.contains(&word.as_str());
        if term.len() < 3 || technical || out.contains(&term) {
            continue;
        }
        out.push(term);
    }
    out
}

/// Lower-case words of a snake_case, kebab-case or CamelCase identifier (`::` separated
/// paths are split too).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// A simple English singular: `categories` -> `category`, `addresses` -> `address`,
/// `invoices` -> `invoice`, `status` and `class` unchanged.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies")
        && stem.len() >= 2
    {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") || word.len() <= 3 {
        return word.to_string();
    }
    word.strip_suffix('s').unwrap_or(word).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_folds_names() {
        assert_eq!(terms("invoice_service"), ["invoice"]);
        assert_eq!(terms("InvoiceLine"), ["invoice", "line"]);
        assert_eq!(terms("invoices"), ["invoice"]);
        assert_eq!(terms("categories"), ["category"]);
        assert_eq!(terms("addresses"), ["address"]);
        assert_eq!(terms("OrderStatus"), ["order", "status"]);
        assert_eq!(terms("handlers"), Vec::<String>::new());
        assert_eq!(terms("customer_repo"), ["customer"]);
        assert_eq!(terms("HTTPServer"), ["httpserver"]);
        assert_eq!(terms("v2"), Vec::<String>::new());
    }
}
