//! Where a render error is placed: the name tera gives, found in the template's tags.

use super::{line_in_tags, named_in};

#[track_caller]
fn check(template: &str, message: &str, expected: Option<(&str, &str, usize)>) {
    let found = named_in(message)
        .and_then(|(kind, name)| line_in_tags(template, &name).map(|line| (kind, name, line)));
    assert_eq!(
        found
            .as_ref()
            .map(|(kind, name, line)| (*kind, name.as_str(), *line)),
        expected
    );
}

#[test]
fn a_variable_is_found_in_an_expression_tag() {
    check(
        "a\n{{ op.name }}\n{{ op.nme }}\n",
        "Variable `op.nme` not found in context while rendering 'x'",
        Some(("variable", "op.nme", 3)),
    );
}

#[test]
fn a_longer_name_text_or_a_comment_holding_the_name_is_not_it() {
    check(
        "op.nme in text\n{# op.nme #}\n{{ op.nme_2 }}\n{% if x %}\n{{ x | upper }}{{ op.nme }}\n",
        "Variable `op.nme` not found in context while rendering 'x'",
        Some(("variable", "op.nme", 5)),
    );
}

#[test]
fn a_filter_is_found_in_a_statement_tag_over_several_lines() {
    check(
        "{% for x in\n   list | shout %}{% endfor %}\n",
        "Filter 'shout' not found",
        Some(("filter", "shout", 2)),
    );
}

#[test]
fn a_name_the_template_does_not_use_has_no_line() {
    check("{{ a }}\n", "Function 'now' not found", None);
}
