//! The command-line surface: help, version, exit codes.

use std::process::{Command, Output};

fn ficus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run ficus")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_describes_the_tool_and_global_options() {
    let output = ficus(&["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(help.contains("Usage: ficus"), "{help}");
    for option in ["--verbose", "--quiet", "--color", "--version", "--help"] {
        assert!(help.contains(option), "help lacks {option}:\n{help}");
    }
    assert!(
        help.contains("Exit status: 0 ok, 1 findings"),
        "help documents exit codes:\n{help}"
    );
}

#[test]
fn help_lists_only_subcommands_that_exist() {
    let help = stdout(&ficus(&["--help"]));
    // Every subcommand named in help must run its own --help successfully.
    let listed: Vec<String> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        // A description that wraps continues on a line indented past the names.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect();
    for name in &listed {
        let output = ficus(&[name, "--help"]);
        assert!(output.status.success(), "`ficus {name} --help` failed");
    }
}

#[test]
fn version_prints_the_package_version() {
    let output = ficus(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        stdout(&output).trim(),
        format!("ficus {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn no_arguments_prints_help_and_exits_2() {
    let output = ficus(&[]);
    assert_eq!(output.status.code(), Some(2));
    let text = format!(
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("Usage: ficus"), "{text}");
}

#[test]
fn unknown_option_exits_2_with_a_message() {
    let output = ficus(&["--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--no-such-flag"));
}

#[test]
fn quiet_and_verbose_conflict() {
    let output = ficus(&["-q", "-v"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn color_rejects_unknown_values() {
    let output = ficus(&["--color", "sometimes"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("sometimes"));
}
