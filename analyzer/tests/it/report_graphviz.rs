//! The report's `graph.dot` in real Graphviz: the example monolith's graphs (modules by crate,
//! modules by proposed service, items by service) and the module graph of a large generated
//! workspace (40 crates of 20 modules, thousands of edges, like a real axum workspace) are
//! rendered with `dot -Tsvg`, which must succeed within a generous time and write an SVG.
//!
//! Graphviz is required, not optional: `.ci/run` installs it (`.ci/install-graphviz`), and a
//! missing `dot` fails the test with that advice. No wall time is asserted; the time limit only
//! turns a hang into a failure. Set `FICUS_REPORT_DIR` to keep the DOT files and SVGs.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::render::{self, GraphView};
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};

/// How long one `dot` run may take before it is killed and the test fails.
const DOT_TIMEOUT: Duration = Duration::from_secs(600);

#[test]
fn the_example_monolith_graphs_render_with_graphviz() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/shop-monolith");
    let modules = analyze(&Settings::new(&root), &NoProgress).expect("analysis runs");
    check_renders(
        "shop-modules-by-crate",
        &render::dot(&modules, &GraphView::crates(Granularity::Module)),
    );

    let mut settings = Settings::new(&root);
    settings.granularity = Granularity::Item;
    let items = analyze(&settings, &NoProgress).expect("analysis runs");
    let proposal = plan(&items, &PlanSettings::default()).expect("plan");
    let by_service = render::dot(&items, &GraphView::services(&proposal, Granularity::Module));
    assert!(
        by_service.starts_with("// module graph grouped by service"),
        "{by_service}"
    );
    for service in &proposal.services {
        assert!(
            by_service.contains(&format!("label=\"{}\";", service.name)),
            "no cluster for {}:\n{by_service}",
            service.name
        );
    }
    check_renders("shop-modules-by-service", &by_service);
    check_renders(
        "shop-items-by-service",
        &render::dot(&items, &GraphView::services(&proposal, Granularity::Item)),
    );
}

#[test]
fn a_large_generated_workspace_graph_renders_with_graphviz() {
    let folder = tempfile::tempdir().expect("temp dir");
    write_large_workspace(folder.path(), 40, 20);
    let analysis = analyze(&Settings::new(folder.path()), &NoProgress).expect("analysis runs");
    assert_eq!(analysis.crates.len(), 40);
    assert_eq!(
        analysis.modules.len(),
        40 * 21,
        "20 modules and a root per crate"
    );
    assert!(
        analysis.edges.len() > 8_000,
        "the fixture should be as large as a real workspace: {} edges",
        analysis.edges.len()
    );
    let dot = render::dot(&analysis, &GraphView::crates(Granularity::Module));
    assert!(dot.contains("edges drawn: the heaviest"), "{dot}");
    check_renders("large-modules-by-crate", &dot);
    let mermaid = render::mermaid(&analysis, &GraphView::crates(Granularity::Module));
    assert!(mermaid.len() <= 50_000 && count_edges(&mermaid) <= 500);
    assert!(mermaid.contains("folded into their crates"), "{mermaid}");
}

fn count_edges(mermaid: &str) -> usize {
    mermaid
        .lines()
        .filter(|line| line.contains(" -->|"))
        .count()
}

/// Renders `dot_text` with `dot -Tsvg` and checks that an SVG came out, killing `dot` after
/// `DOT_TIMEOUT`. Prints how long it took.
fn check_renders(name: &str, dot_text: &str) {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("FICUS_REPORT_DIR")
        .map_or_else(|| scratch.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("report dir");
    let (input, output, errors) = (
        dir.join(format!("{name}.dot")),
        dir.join(format!("{name}.svg")),
        dir.join(format!("{name}.dot-stderr")),
    );
    std::fs::write(&input, dot_text).expect("write dot file");
    let started = Instant::now();
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&errors).expect("stderr file"))
        .spawn()
    {
        Ok(child) => child,
        Err(error) => panic!(
            "cannot run Graphviz's `dot` ({error}): install graphviz, e.g. with `.ci/install-graphviz` (CI runs it)"
        ),
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for dot") {
            break status;
        }
        if started.elapsed() > DOT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dot did not finish {name} within {DOT_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let stderr = std::fs::read_to_string(&errors).unwrap_or_default();
    assert!(
        status.success(),
        "dot failed on {name} with {status}:\n{stderr}"
    );
    let svg = std::fs::read_to_string(&output).expect("svg written");
    assert!(
        svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{name}: not an SVG"
    );
    eprintln!(
        "{name}: {} edges rendered by dot in {:.1} s",
        dot_text
            .lines()
            .filter(|line| line.contains(" -> "))
            .count(),
        elapsed.as_secs_f64()
    );
}

/// A workspace of `crates` library crates of `modules` modules each. Crate `i` depends on
/// crates `i-1`, `i-2`, `i-3`, `i-5` and `i-8`; every module imports a type of the next
/// module, calls functions of two other modules of its crate, and calls a function and names
/// a type in one module of each dependency.
fn write_large_workspace(root: &Path, crates: usize, modules: usize) {
    let name = |index: usize| format!("c{index:02}");
    let members: Vec<String> = (0..crates)
        .map(|index| format!("\"{}\"", name(index)))
        .collect();
    write(
        &root.join("Cargo.toml"),
        &format!("[workspace]\nmembers = [{}]\n", members.join(", ")),
    );
    for krate in 0..crates {
        let dependencies: Vec<usize> = [1, 2, 3, 5, 8]
            .iter()
            .filter_map(|distance| krate.checked_sub(*distance))
            .collect();
        let dir = root.join(name(krate));
        let mut manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
            name(krate)
        );
        for dependency in &dependencies {
            let _ = writeln!(manifest, "{0} = {{ path = \"../{0}\" }}", name(*dependency));
        }
        write(&dir.join("Cargo.toml"), &manifest);
        let lib: String = (0..modules)
            .map(|index| format!("pub mod m{index:02};\n"))
            .collect();
        write(&dir.join("src/lib.rs"), &lib);
        for index in 0..modules {
            let other = |offset: usize| (index + offset) % modules;
            let mut body = format!(
                "//! Module {index} of {krate}.\nuse crate::m{next:02}::T{next} as Next;\npub struct T{index};\npub fn g() {{}}\npub fn f(_next: Option<Next>) {{\n    crate::m{a:02}::g();\n    crate::m{b:02}::g();\n",
                krate = name(krate),
                next = other(1),
                a = other(1),
                b = other(7),
            );
            for (position, dependency) in dependencies.iter().enumerate() {
                let called = (index * 3 + position) % modules;
                let typed = other(position);
                let _ = writeln!(
                    body,
                    "    {0}::m{called:02}::g();\n    let _t{position}: Option<{0}::m{typed:02}::T{typed}> = None;",
                    name(*dependency)
                );
            }
            body.push_str("}\n");
            write(&dir.join(format!("src/m{index:02}.rs")), &body);
        }
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("file in a folder")).expect("create folder");
    std::fs::write(path, text).expect("write file");
}
