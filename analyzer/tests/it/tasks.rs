//! Tasks: functions the code runs on their own (background jobs, workers, queue consumers),
//! and the planner's use of them as entry points.

use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};

use crate::support::project;

const APP: &str = r#"
//- Cargo.toml
[package]
name = "shop"
edition = "2021"
//- src/main.rs
mod audit;
mod jobs;
#[cfg(not(test))]
mod live;
mod mail;
mod orders;
mod reports;
#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::channel();
    tokio::spawn(jobs::cleanup::run());
    std::thread::spawn(move || mail::consume(rx));
    let mut set = tokio::task::JoinSet::new();
    set.spawn(reports::nightly());
    let _ = tokio::join!(serve(tx), jobs::reindex());
}
async fn serve(_tx: std::sync::mpsc::Sender<String>) {
    let _app = axum::Router::new().route("/orders", axum::routing::post(orders::place));
}
//- src/jobs.rs
pub mod cleanup {
    pub async fn run() { crate::orders::expire(); }
}
pub async fn reindex() {}
//- src/mail.rs
pub fn consume(_rx: std::sync::mpsc::Receiver<String>) { loop {} }
//- src/reports.rs
pub async fn nightly() { crate::orders::totals(); }
pub fn weekly() { crate::orders::totals(); }
//- src/live.rs
pub fn start() { std::thread::spawn(crate::reports::weekly); }
//- src/orders.rs
pub async fn place() { tokio::spawn(crate::audit::record()); }
pub fn expire() {}
pub fn totals() {}
//- src/audit.rs
pub async fn record() {}
#[cfg(test)]
mod tests {
    #[test]
    fn spawns() { std::thread::spawn(super::helper); tokio::spawn(super::record()); }
}
pub fn helper() {}
"#;

fn analysis() -> ficus_analyzer::model::Analysis {
    let dir = project(APP);
    let mut settings = Settings::new(dir.path());
    settings.granularity = Granularity::Item;
    analyze(&settings, &NoProgress).expect("analysis runs")
}

#[test]
fn spawned_joined_and_thread_functions_are_tasks() {
    let analysis = analysis();
    let tasks: Vec<String> = analysis
        .tasks
        .iter()
        .map(|task| format!("{} {} <- {}", task.how, task.function, task.started_by))
        .collect();
    assert_eq!(
        tasks,
        [
            "spawn shop::audit::helper <- shop::audit::tests::spawns",
            "spawn shop::audit::record <- shop::audit::tests::spawns",
            "spawn shop::audit::record <- shop::orders::place",
            "spawn shop::jobs::cleanup::run <- shop::main",
            "join shop::jobs::reindex <- shop::main",
            "spawn shop::mail::consume <- shop::main",
            "spawn shop::reports::nightly <- shop::main",
            "spawn shop::reports::weekly <- shop::live::start",
            "join shop::serve <- shop::main",
        ]
    );
}

#[test]
fn background_jobs_are_entry_points_and_request_hand_offs_are_not() {
    let analysis = analysis();
    let proposal = plan(&analysis, &PlanSettings::default()).expect("a plan");
    let jobs: Vec<&String> = proposal
        .services
        .iter()
        .flat_map(|service| &service.jobs)
        .collect();
    // Started at start-up (also from `#[cfg(not(test))]` code): jobs. Spawned while serving
    // a request (`audit::record` from the `place` handler) or by test code: not.
    for job in [
        "shop::jobs::cleanup::run",
        "shop::jobs::reindex",
        "shop::mail::consume",
        "shop::reports::nightly",
        "shop::reports::weekly",
    ] {
        assert!(
            jobs.iter().any(|found| *found == job),
            "{job} not a job: {jobs:?}"
        );
    }
    assert!(
        !jobs.iter().any(|job| job.starts_with("shop::audit")),
        "{jobs:?}"
    );
    for service in &proposal.services {
        assert!(
            !service.routes.is_empty() || !service.jobs.is_empty(),
            "{} has no entry point",
            service.name
        );
    }
}
