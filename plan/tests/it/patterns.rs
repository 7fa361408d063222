//! Module path patterns: what parses, what each form matches, and which service owns a module
//! when several patterns match it.

use crate::support::check_rest_ok;

use ficus_plan::{ModulePattern, PatternKind};

/// Parses `pattern` and lists which of `modules` it matches.
fn check_matches(pattern: &str, modules: &[&str], expected: &[&str]) {
    let pattern = ModulePattern::parse(pattern).unwrap_or_else(|error| panic!("{error}"));
    let matched: Vec<&str> = modules
        .iter()
        .copied()
        .filter(|module| pattern.matches(module))
        .collect();
    assert_eq!(matched, expected, "pattern {pattern}");
}

fn check_invalid(pattern: &str, expected: &str) {
    match ModulePattern::parse(pattern) {
        Ok(parsed) => panic!("{pattern:?} parsed as {parsed:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

const TREE: [&str; 7] = [
    "shop",
    "shop::orders",
    "shop::orders::service",
    "shop::orders::service::tests",
    "shop::orders_v2",
    "shop::ordersx::a",
    "other::orders",
];

#[test]
fn exact_matches_one_module() {
    check_matches("shop::orders", &TREE, &["shop::orders"]);
}

#[test]
fn star_matches_direct_children_only() {
    check_matches("shop::orders::*", &TREE, &["shop::orders::service"]);
}

#[test]
fn double_star_matches_every_descendant_not_the_module() {
    check_matches(
        "shop::orders::**",
        &TREE,
        &["shop::orders::service", "shop::orders::service::tests"],
    );
}

#[test]
fn a_crate_root_pattern() {
    check_matches("shop::*", &TREE, &["shop::orders", "shop::orders_v2"]);
}

#[test]
fn crate_ids_with_target_suffixes_are_module_names() {
    check_matches(
        "shop[bin]::**",
        &["shop[bin]::cli", "shop::cli"],
        &["shop[bin]::cli"],
    );
    check_matches("shop#2::a", &["shop#2::a"], &["shop#2::a"]);
    check_matches("r#type::x", &["r#type::x"], &["r#type::x"]);
}

#[test]
fn pattern_kinds_and_display() {
    for (text, kind) in [
        ("a::b", PatternKind::Exact),
        ("a::b::*", PatternKind::Children),
        ("a::b::**", PatternKind::Descendants),
    ] {
        let pattern = ModulePattern::parse(text).unwrap();
        assert_eq!(pattern.kind(), kind);
        assert_eq!(pattern.prefix(), "a::b");
        assert_eq!(pattern.to_string(), text);
    }
}

#[test]
fn invalid_patterns() {
    check_invalid("", "empty module path");
    check_invalid(
        "a::::b",
        "empty segment (two `::` in a row, or `::` at an end)",
    );
    check_invalid(
        "a::",
        "empty segment (two `::` in a row, or `::` at an end)",
    );
    check_invalid(
        "::a",
        "empty segment (two `::` in a row, or `::` at an end)",
    );
    check_invalid("a::**::b", "`**` must be the last segment");
    check_invalid("**", "`**` needs a module before it, as in `my_crate::**`");
    check_invalid(
        "self::a",
        "start with the crate name as code sees it (`my_crate::a`), not `self`",
    );
    check_invalid("a::b*", "`b*` is not a module name");
    check_invalid("a-b::c", "`a-b` is not a module name");
    check_invalid("a::_", "`_` is not a module name");
    check_invalid("a::1x", "`1x` is not a module name");
    check_invalid("a::b[bin]", "`b[bin]` is not a module name");
    check_invalid("a b", "`a b` is not a module name");
}

#[test]
fn more_specific_patterns_win() {
    let plan = check_rest_ok(
        "[[service]]
name = \"orders\"
modules = [\"shop::orders\", \"shop::orders::**\"]
[[service]]
name = \"billing\"
modules = [\"shop::orders::invoice\", \"shop::orders::invoice::*\"]
[[service]]
name = \"pdf\"
modules = [\"shop::orders::invoice::pdf::**\"]
[shared_kernel]
modules = [\"shop::**\"]
",
    );
    let owner = |module: &str| match plan.service_of(module) {
        Some(service) => service.name.clone(),
        None if plan.shared_kernel_contains(module) => "kernel".to_string(),
        None => "monolith".to_string(),
    };
    assert_eq!(owner("shop"), "monolith");
    assert_eq!(owner("shop::common"), "kernel");
    assert_eq!(owner("shop::orders"), "orders");
    assert_eq!(owner("shop::orders::service"), "orders");
    assert_eq!(owner("shop::orders::invoice"), "billing");
    assert_eq!(owner("shop::orders::invoice::pdf"), "billing");
    assert_eq!(owner("shop::orders::invoice::pdf::render"), "pdf");
    assert_eq!(owner("shop::orders::invoice::mail::smtp"), "orders");
    assert_eq!(owner("other"), "monolith");
}

#[test]
fn a_service_pattern_beats_the_kernel_at_equal_depth() {
    let plan = check_rest_ok(
        "[[service]]\nname = \"a\"\nmodules = [\"shop::util::money\"]\n[shared_kernel]\nmodules = [\"shop::util\", \"shop::util::*\"]\n",
    );
    assert!(plan.shared_kernel_contains("shop::util"));
    assert!(plan.shared_kernel_contains("shop::util::time"));
    assert!(!plan.shared_kernel_contains("shop::util::money"));
    assert_eq!(
        plan.service_of("shop::util::money")
            .map(|s| s.name.as_str()),
        Some("a")
    );
    let (_, pattern) = plan.matching_pattern("shop::util::time").unwrap();
    assert_eq!(pattern.to_string(), "shop::util::*");
}

#[test]
fn specificity_orders_exact_then_children_then_deeper_descendants() {
    let order = ["a::**", "a::b::**", "a::b::*", "a::b::c"];
    let specificities: Vec<_> = order
        .iter()
        .map(|text| ModulePattern::parse(text).unwrap().specificity())
        .collect();
    assert!(specificities.windows(2).all(|pair| pair[0] < pair[1]));
}
