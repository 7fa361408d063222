//! The helpers every test goes through: they are the only code that calls the crate, so a
//! change of API is a change here.

use std::path::Path;

use ficus_plan::{Error, Plan};

/// The name problems are reported under.
pub(crate) const FILE: &str = "ficus.toml";

/// The smallest valid plan, five lines: tests append their part, which starts on line 6.
pub(crate) const HEAD: &str = "\
version = 1
[monolith]
name = \"shop\"
source = \".\"
upstream = \"http://127.0.0.1:8080\"
";

pub(crate) fn parse(text: &str) -> Result<Plan, Error> {
    Plan::parse(text, Path::new(FILE))
}

/// Parses a text that must be valid.
pub(crate) fn check_ok(text: &str) -> Plan {
    match parse(text) {
        Ok(plan) => plan,
        Err(error) => panic!("expected a valid plan, got:\n{error}\n--- text:\n{text}"),
    }
}

/// Parses a text that must be invalid and compares every problem, as displayed, in order.
pub(crate) fn check_problems(text: &str, expected: &[&str]) {
    let error = match parse(text) {
        Ok(plan) => panic!("expected problems, got a plan: {plan:#?}"),
        Err(error) => error,
    };
    let actual: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
    assert_eq!(actual, expected, "\nwhole error:\n{error}");
    // The error's own Display is the problems, one per line.
    assert_eq!(error.to_string(), expected.join("\n"));
}

/// [`check_problems`] for a text made of [`HEAD`] and `rest` (so `rest` starts on line 6).
pub(crate) fn check_rest_problems(rest: &str, expected: &[&str]) {
    check_problems(&format!("{HEAD}{rest}"), expected);
}

/// [`check_ok`] for [`HEAD`] followed by `rest`.
pub(crate) fn check_rest_ok(rest: &str) -> Plan {
    check_ok(&format!("{HEAD}{rest}"))
}
