//! Command-line surface of `ficus`: clap structs only, no logic.
//!
//! Doc comments here are the `--help` text. Subcommands are added by the capability that
//! implements them, so `--help` never lists something that does not work yet.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, ColorChoice, Parser, Subcommand, ValueEnum};

/// Ficus takes a monolith to microservices one safe step at a time: it maps the domain
/// boundaries in the code, plans the extraction, generates the new service and shifts
/// traffic to it gradually.
#[derive(Debug, Parser)]
#[command(
    name = "ficus",
    version,
    arg_required_else_help = true,
    after_help = "Exit status: 0 ok, 1 findings (rule violations, stale output), 2 could not run."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// When to use colors in terminal output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

impl GlobalArgs {
    /// Verbosity as a signed level: -1 quiet, 0 default (warnings), 1.. more.
    pub(crate) fn verbosity(&self) -> i8 {
        if self.quiet {
            -1
        } else {
            self.verbose.min(3) as i8
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Analyze(AnalyzeArgs),
    Plan(PlanArgs),
    Generate(GenerateArgs),
    Compare(CompareArgs),
    Proxy(ProxyArgs),
    Shift(ShiftArgs),
    Rollback(RollbackArgs),
    Pause(PauseArgs),
    Resume(ResumeArgs),
    Promote(PromoteArgs),
    Status(StatusArgs),
}

/// Map a Rust monolith without compiling it: modules, dependencies, routes, tables.
///
/// Writes a report folder (analysis.json, graph.dot, graph.mmd, summary.txt) and prints a
/// summary, or prints the format chosen with --format. Problems met while reading (files that
/// do not parse, names that do not resolve) are listed as diagnostics; they do not change the
/// exit status.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 ok (diagnostics or not), 2 could not run (folder missing, report not writable)."
)]
pub(crate) struct AnalyzeArgs {
    /// Folder to analyse: a crate or a workspace.
    #[arg(value_name = "PATH", default_value = ".")]
    pub(crate) path: PathBuf,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub(crate) format: AnalyzeFormat,

    /// Folder to write the report into, created if needed; its four files are overwritten.
    #[arg(short, long, value_name = "DIR", default_value = "ficus-report")]
    pub(crate) output: PathBuf,

    /// Write no report folder, only print to stdout.
    #[arg(long, conflicts_with = "output")]
    pub(crate) no_report: bool,

    /// What the nodes of the dependency graph are, in the analysis and in graph.dot and
    /// graph.mmd.
    #[arg(long, value_enum, default_value_t = GranularityArg::Module)]
    pub(crate) granularity: GranularityArg,

    /// Analyse tests, examples and benches too, not only libraries and binaries.
    #[arg(long)]
    pub(crate) all_targets: bool,

    /// Worker threads for parsing [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) threads: Option<NonZeroUsize>,

    /// Write the elapsed time as 0, so the same input always gives byte-identical output.
    #[arg(long)]
    pub(crate) deterministic: bool,
}

/// Output formats of `ficus analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AnalyzeFormat {
    /// A short summary for people: counts and the first diagnostics.
    Text,
    /// The whole analysis, as described by docs/schema/analysis.schema.json.
    Json,
    /// The dependency graph for Graphviz (`dot -Tsvg`).
    Dot,
    /// The dependency graph as a Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
}

/// Node kinds of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GranularityArg {
    /// One node per module.
    Module,
    /// One node per item: function, type, trait, ...
    Item,
}

/// Propose candidate services: domain boundaries, what crosses them, extraction order.
///
/// Analyses PATH, sets the shared kernel aside, fuses the coupling signals (structure, shared
/// tables, foreign keys, routes, names) and cuts the module graph with Leiden. Drafts the plan
/// file, or updates it keeping every human edit (names, pins, moved modules, comments, route
/// states) and lists what changed. Prints the candidates in extraction order, or the whole
/// proposal with --format json, and writes the report folder (index.html, an interactive
/// report, and proposal.json next to the analysis files).
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 ok (diagnostics or not), 2 could not run (folder missing, plan file unreadable or invalid, report not writable)."
)]
pub(crate) struct PlanArgs {
    /// Folder to analyse: a crate or a workspace.
    #[arg(value_name = "PATH", default_value = ".")]
    pub(crate) path: PathBuf,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub(crate) format: PlanFormat,

    /// Folder to write the report into, created if needed; its files are overwritten.
    #[arg(short, long, value_name = "DIR", default_value = "ficus-report")]
    pub(crate) output: PathBuf,

    /// Write no report folder, only print to stdout.
    #[arg(long, conflicts_with = "output")]
    pub(crate) no_report: bool,

    /// The plan file to draft, or to update keeping every human edit [default: PATH/ficus.toml].
    #[arg(long, value_name = "FILE")]
    pub(crate) plan: Option<PathBuf>,

    /// Do not write the plan file, only report.
    #[arg(long)]
    pub(crate) no_plan: bool,

    /// What the report's graph.dot and graph.mmd draw, grouped by proposed service: modules,
    /// or items (large: Graphviz and Mermaid may need the graph cut, and say so).
    #[arg(long, value_enum, value_name = "NODES", default_value_t = GranularityArg::Module)]
    pub(crate) graph: GranularityArg,

    /// Aim for this many services (the resolution is searched for it); wins over the plan
    /// file's `services` or `resolution` [default: the plan file's, else none].
    #[arg(long, value_name = "N", conflicts_with = "resolution")]
    pub(crate) services: Option<NonZeroUsize>,

    /// Leiden resolution: higher gives more, smaller services; wins over the plan file's
    /// `resolution` or `services` [default: the plan file's, else 1.0].
    #[arg(long, value_name = "R")]
    pub(crate) resolution: Option<f64>,

    /// Seed of the clustering: the same code and seed give the same proposal; wins over the
    /// plan file's `seed` [default: the plan file's, else 42].
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    /// Add evolutionary coupling from git: files changed in the same commits, shared authors.
    #[arg(long)]
    pub(crate) history: bool,

    /// With --history: only commits after this date (anything `git log --since` takes).
    #[arg(long, value_name = "DATE", requires = "history")]
    pub(crate) since: Option<String>,

    /// With --history: read at most this many commits.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "history")]
    pub(crate) max_commits: usize,

    /// Worker threads for parsing [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) threads: Option<NonZeroUsize>,

    /// Write the elapsed time as 0, so the same input always gives byte-identical output.
    #[arg(long)]
    pub(crate) deterministic: bool,
}

/// Output formats of `ficus plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    /// The candidates in extraction order, for people.
    Text,
    /// The whole proposal (services, shared kernel, graph, metrics).
    Json,
}

/// Prepare one planned service for extraction: its port, MIGRATION.md and a workspace.
///
/// Reads the plan file, analyses the monolith it names (`monolith.source`) at item level and
/// finds what the rest of the monolith uses of SERVICE: the functions and methods it calls
/// (operations), the types their signatures reach, the service's routes and tables. Each
/// operation is classified ready (owned, serialisable inputs and outputs), needs change
/// (borrows, generics, impl Trait, closures, iterators, lifetimes, &self on a type with state)
/// or blocked (the caller's transaction, a handle, a mutable global or a table the rest also
/// writes), each finding with its file and line. Prints the port, or JSON with --format json,
/// and writes DIR/MIGRATION.md and a Cargo workspace: the service's API crate (a trait with one
/// async method per ready operation, the types they exchange, the errors of a remote call), its
/// axum service crate (the routes at the monolith's paths, operation endpoints, health,
/// metrics, OpenAPI, graceful shutdown; handlers and operation bodies are files written once
/// for you to fill), its HTTP client crate for the monolith, contract tests, a Dockerfile and
/// Kubernetes manifests.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 ok (findings or not), 2 could not run (plan file missing or invalid, no such service, output folder holding files ficus did not write, a .ficusignore line or a template that is invalid); 1 a file written with conflict markers (your edits and the generator's changes overlap; every other file is written), or stale output (--check).\n\nA second run keeps your edits: a file you edited is merged three ways with the generator's new text (base: .ficus-generate/base/), files matched by DIR/.ficusignore are left alone (docs/codegen.md)."
)]
pub(crate) struct GenerateArgs {
    /// The service, as the plan file names it.
    #[arg(value_name = "SERVICE", required_unless_present_any = ["list_templates", "eject"])]
    pub(crate) service: Option<String>,

    /// The plan file.
    #[arg(long, value_name = "FILE", default_value = "ficus.toml")]
    pub(crate) plan: PathBuf,

    /// Output folder [default: services/SERVICE, beside the plan file].
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = GenerateFormat::Text)]
    pub(crate) format: GenerateFormat,

    /// Print what a run would do to each file (create, update, merge, skip, conflict,
    /// delete) with a unified diff, and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Move the code, not only stubs: copy the service's modules into the service crate
    /// (their routes served by their own handlers), carry what they use of the rest into a
    /// kernel crate (or depend on the monolith's crate: `[shared_kernel] on_move = "depend"`),
    /// copy the migrations of the tables it owns, and call other services' ready operations
    /// through their clients when `ficus generate` wrote them beside the output folder
    /// (generate those first); MIGRATION.md lists what a person must finish (the handlers'
    /// state, the other uses of other services' code, calls leaving a transaction).
    #[arg(long = "move")]
    pub(crate) move_code: bool,

    /// Write nothing; exit 1 if a run would change a file (for CI: the output is stale).
    /// Your edits alone are not stale; leftover conflict markers are.
    #[arg(long, conflicts_with = "dry_run")]
    pub(crate) check: bool,

    /// Folder of template overrides: a file NAME.tera there replaces the embedded template
    /// NAME (see --list-templates); the others stay embedded.
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,

    /// Print the names of the embedded templates and exit.
    #[arg(long, conflicts_with = "eject")]
    pub(crate) list_templates: bool,

    /// Copy the embedded templates into DIR (as NAME.tera, to edit and pass to --templates)
    /// and exit. Refuses to overwrite a file.
    #[arg(long, value_name = "DIR")]
    pub(crate) eject: Option<PathBuf>,
}

/// Output formats of `ficus generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GenerateFormat {
    /// The operations by class, with their findings, for people.
    Text,
    /// The whole port (operations, types, routes, tables).
    Json,
}

/// Compare two decompositions of the same code: MoJoFM, a2a and adjusted Rand index.
///
/// Each of A and B is a plan file (ficus.toml: services by module patterns) or a truth file
/// (`[services]` name = [module path prefixes], optional `[shared]`). Modules come from
/// analysing SOURCE; they are compared over those B assigns, with B as the reference.
#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 ok, 2 could not run (file missing or invalid).")]
pub(crate) struct CompareArgs {
    /// The decomposition to judge.
    #[arg(value_name = "A")]
    pub(crate) proposed: PathBuf,

    /// The reference decomposition.
    #[arg(value_name = "B")]
    pub(crate) reference: PathBuf,

    /// The analysed folder [default: the plan's monolith source, else the current folder].
    #[arg(long, value_name = "PATH")]
    pub(crate) source: Option<PathBuf>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Run the strangler proxy in front of the monolith: routes, weights, sticky users, fallback.
///
/// CONFIG is a proxy file, or a plan file (ficus.toml): its [proxy] table and its routes'
/// migration states (canary, service); docs/proxy.md describes every field. The file is reloaded when it changes and on SIGHUP (an invalid file
/// is rejected and the running table kept). SIGINT or SIGTERM stops accepting connections
/// and lets requests in flight finish. Access logs go to stdout as JSON lines; other logs to
/// stderr.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 stopped cleanly, 2 could not start (invalid config, address in use)."
)]
pub(crate) struct ProxyArgs {
    /// Proxy configuration file, or a plan file (ficus.toml).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,

    /// Address to listen on, ip:port; wins over the file's `listen`.
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<std::net::SocketAddr>,

    /// Worker threads, each a single-threaded runtime with its own listener on the port;
    /// default: one per available CPU.
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<NonZeroUsize>,
}

/// Where a running proxy's admin API is and how to authenticate to it. By default both come
/// from the configuration file the proxy runs (its `[proxy.admin]` or `[admin]` table: the
/// listen address and where the token is read from).
#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    /// The configuration file the proxy runs: a plan file (ficus.toml) or a proxy file.
    #[arg(long, value_name = "FILE", default_value = "ficus.toml")]
    pub(crate) config: PathBuf,

    /// The admin API's base URL (http://host:port); wins over the file's admin listen address.
    #[arg(long, value_name = "URL")]
    pub(crate) admin: Option<String>,

    /// Read the bearer token from this environment variable instead of as the file says.
    #[arg(long, value_name = "VAR", conflicts_with = "token_file")]
    pub(crate) token_env: Option<String>,

    /// Read the bearer token from this file instead of as the file says.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
}

/// Move a route of the plan to PERCENT of its traffic on the new service, through the running
/// proxy: 0 is state monolith, 100 state service, anything between canary (a rollout, if the
/// plan has one, goes on from the step at that percent). The proxy records the change in its
/// ledger and rewrites the route's state in the plan file.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 shifted, 2 could not (no running proxy, no token, unknown route, refused)."
)]
pub(crate) struct ShiftArgs {
    /// The route as the plan writes it: "GET /api/products/{id}".
    #[arg(value_name = "ROUTE")]
    pub(crate) route: String,

    /// Percent of the route's requests the new service gets, 0 to 100.
    #[arg(value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub(crate) percent: u8,

    #[command(flatten)]
    pub(crate) admin: AdminArgs,
}

/// Send a route of the plan back to the monolith, through the running proxy, stopping its
/// rollout. Recorded in the ledger as made by hand.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 rolled back, 2 could not (no running proxy, no token, unknown route, refused)."
)]
pub(crate) struct RollbackArgs {
    #[command(flatten)]
    pub(crate) target: RouteTarget,
}

/// A route of the plan on a running proxy.
#[derive(Debug, Args)]
pub(crate) struct RouteTarget {
    /// The route as the plan writes it: "GET /api/products/{id}".
    #[arg(value_name = "ROUTE")]
    pub(crate) route: String,

    #[command(flatten)]
    pub(crate) admin: AdminArgs,
}

/// Hold a route's rollout at its step, through the running proxy: its gates are not judged
/// until it is resumed. (Not kept across a restart of the proxy.)
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 paused, 2 could not (no running proxy, no token, no rollout)."
)]
pub(crate) struct PauseArgs {
    #[command(flatten)]
    pub(crate) target: RouteTarget,
}

/// Resume a paused rollout, through the running proxy: its step bakes again from now.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 resumed, 2 could not (no running proxy, no token, no rollout)."
)]
pub(crate) struct ResumeArgs {
    #[command(flatten)]
    pub(crate) target: RouteTarget,
}

/// Move a route's rollout to its next step now, through the running proxy, without waiting
/// for its bake or its gates (after the last step: state service). Recorded in the ledger as
/// made by hand.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 promoted, 2 could not (no running proxy, no token, no rollout)."
)]
pub(crate) struct PromoteArgs {
    #[command(flatten)]
    pub(crate) target: RouteTarget,
}

/// Show how far the migration has come, from the running proxy: per service the routes and
/// traffic moved, per route its state, rollout and last change.
#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 shown, 2 could not (no running proxy, no token).")]
pub(crate) struct StatusArgs {
    /// text: tables; json: everything the admin API answers, with each route's ledger history.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub(crate) format: StatusFormat,

    /// Also list the plan's routes the monolith has not answered for this long (30m, 12h, 7d):
    /// routes moved to their service whose monolith code can be deleted. What the proxy knows
    /// starts when it started.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) unused_since: Option<std::time::Duration>,

    #[command(flatten)]
    pub(crate) admin: AdminArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusFormat {
    Text,
    Json,
}

/// `30s`, `15m`, `12h`, `7d`.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit, as 30m, 12h or 7d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("{text:?}: the unit is s, m, h or d")),
    };
    Ok(std::time::Duration::from_secs(
        value.saturating_mul(seconds),
    ))
}
