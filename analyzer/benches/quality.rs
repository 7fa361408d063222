//! Benchmark: how well `ficus plan`'s proposal recovers known domains, on every fixture whose
//! domains are written down in a `truth.toml` (MoJoFM, a2a, adjusted Rand index), with the
//! quality metrics of the proposed cut (SM, ICP, IFN, NED).
//!
//! `cargo bench -p ficus-analyzer --bench quality`. It measures; it asserts nothing (the
//! regression tests that hold the line are in `tests/it/boundary.rs`).

use std::path::PathBuf;

use ficus_analyzer::boundary::compare::{Truth, assignment_of, compare};
use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fixtures = [
        (
            "shop-monolith (example)",
            manifest.join("../examples/shop-monolith"),
        ),
        (
            "layered-app (by technical layer)",
            manifest.join("tests/fixtures/layered-app"),
        ),
        (
            "clinic-app (by feature, actix-web + sqlx)",
            manifest.join("tests/fixtures/clinic-app"),
        ),
    ];
    println!(
        "| fixture | modules compared | services (truth / proposed) | MoJoFM | a2a | ARI | SM | ICP | IFN | NED |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, root) in fixtures {
        let truth_text = match std::fs::read_to_string(root.join("truth.toml")) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{name}: no truth.toml ({error})");
                continue;
            }
        };
        let truth = Truth::parse(&truth_text, "truth.toml").expect("valid truth.toml");
        let mut settings = Settings::new(&root);
        settings.granularity = Granularity::Item;
        let analysis = analyze(&settings, &NoProgress).expect("analysis");
        let proposal = plan(&analysis, &PlanSettings::default()).expect("proposal");
        let reference = truth.assign(analysis.modules.iter().map(|module| module.id.as_str()));
        let comparison = compare(&assignment_of(&proposal), &reference).expect("comparison");
        let metrics = &proposal.metrics;
        println!(
            "| {name} | {} | {} / {} | {:.1} | {:.1} | {:.3} | {:.3} | {:.3} | {:.2} | {:.3} |",
            comparison.modules,
            truth.services.len(),
            proposal.services.len(),
            comparison.mojo_fm,
            comparison.a2a,
            comparison.adjusted_rand_index,
            metrics.structural_modularity,
            metrics.inter_call_percentage,
            metrics.interface_number,
            metrics.non_extreme_distribution
        );
    }
}
