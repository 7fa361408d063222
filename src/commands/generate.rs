//! `ficus generate`: reads the plan, analyses the monolith it names at item level, computes the
//! port of one service with `ficus_codegen::port_of`, prints it and writes `MIGRATION.md`.
//!
//! Everything is rendered before anything is written, and the output folder is checked
//! first (`ficus_codegen::check_output_folder`); `ficus_codegen::plan_output` decides what
//! happens to each file (create, update, merge, skip, conflict, delete), and a conflict
//! exits 1 once everything else is written.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use ficus_analyzer::model::Analysis;
use ficus_analyzer::{Granularity, Settings};
use ficus_codegen::{Class, CodeItem, CodeModel, Handler, Port, Reference, TableAccess};
use ficus_plan::Plan;

use super::analyze::{ProgressReporter, print_stdout};
use crate::cli::{GenerateArgs, GenerateFormat, GlobalArgs};

pub(crate) fn run(args: &GenerateArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    if args.list_templates {
        let mut text = String::new();
        for name in ficus_codegen::template_names() {
            text.push_str(name);
            text.push('\n');
        }
        print_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &args.eject {
        let written = ficus_codegen::eject_templates(dir)?;
        let mut text = String::new();
        for path in written {
            text.push_str(&format!("Wrote {}\n", path.display()));
        }
        print_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    // clap requires SERVICE unless one of the two flags above is given.
    let service = args.service.as_deref().unwrap_or_default();
    // Templates are read first: an override that does not parse stops the run before the
    // analysis does any work.
    let renderer = ficus_codegen::Renderer::with_overrides(args.templates.as_deref())?;
    let plan = Plan::load(&args.plan)?;
    let plan_dir = args
        .plan
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if plan.service(service).is_none() {
        let known: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        anyhow::bail!(
            "{}: the plan has no service `{}` (its services: {})",
            args.plan.display(),
            service,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| plan_dir.join("services").join(service));
    ficus_codegen::check_output_folder(&out)?;

    let root = plan.source_dir(&args.plan);
    let mut settings = Settings::new(&root);
    settings.granularity = Granularity::Item;
    settings.all_targets = plan.analysis.all_targets;
    let progress = ProgressReporter::new(io::stderr().is_terminal() && !global.quiet);
    let result = ficus_analyzer::analyze(&settings, &progress);
    progress.finish();
    let analysis = result.with_context(|| format!("analysing {}", root.display()))?;

    let model = code_model(&analysis);
    let port = ficus_codegen::port_of(&model, &plan, service, &root)?;
    let moved = if args.move_code {
        let remotes = ficus_codegen::remote_clients(&model, &plan, service, &root, &out)?;
        Some(ficus_codegen::move_boundary(
            &model, &plan, &port, &root, &remotes,
        )?)
    } else {
        None
    };
    let kernel = moved
        .as_ref()
        .is_some_and(|moved| moved.context.kernel_crate.is_some());
    let (local, local_files) = ficus_codegen::local_files(&port, &model, &root, &out, &renderer)?;
    let mut files = vec![
        ficus_codegen::GeneratedFile::owned(
            "MIGRATION.md".to_string(),
            ficus_codegen::migration_md(
                &port,
                moved.as_ref().map(|moved| &moved.context),
                Some(&local),
                &renderer,
            )?,
        )
        .from_template("MIGRATION.md"),
    ];
    files.extend(ficus_codegen::api_files(&port, &renderer, kernel)?);
    files.extend(ficus_codegen::service_files(
        &port,
        &renderer,
        moved.as_ref(),
        Some(&local),
    )?);
    files.extend(local_files);

    let output = ficus_codegen::plan_output(&out, &files)?;
    let mut text = match args.format {
        GenerateFormat::Text => port_summary(&port),
        GenerateFormat::Json => ficus_codegen::port_and_files_json(&port, &output),
    };
    let text_format = args.format == GenerateFormat::Text;
    if args.check {
        if !output.is_stale() {
            if text_format {
                text.push_str(&format!("\n{} is up to date\n", out.display()));
            }
            print_stdout(&text)?;
            return Ok(ExitCode::SUCCESS);
        }
        print_stdout(&text)?;
        eprint!("{}", output.stale_text());
        return Ok(ExitCode::from(super::EXIT_FINDINGS));
    }
    if !args.dry_run {
        output.write()?;
    }
    if text_format {
        text.push_str(&output.report_text(args.dry_run));
    }
    print_stdout(&text)?;
    if !args.dry_run && output.conflicts().next().is_some() {
        for conflict in output.conflicts() {
            eprintln!("conflict: {}", out.join(&conflict.path).display());
        }
        return Ok(ExitCode::from(super::EXIT_FINDINGS));
    }
    Ok(ExitCode::SUCCESS)
}

/// The analysis as the generator reads it.
fn code_model(analysis: &Analysis) -> CodeModel {
    CodeModel {
        modules: analysis
            .modules
            .iter()
            .map(|module| module.id.clone())
            .collect(),
        module_sources: analysis
            .modules
            .iter()
            .map(|module| ficus_codegen::ModuleSource {
                id: module.id.clone(),
                path: module.path.clone(),
                file: module.file.clone(),
                line: module.line,
                parent: module.parent.clone(),
            })
            .collect(),
        test_modules: analysis
            .test_modules()
            .into_iter()
            .map(str::to_string)
            .collect(),
        items: analysis
            .items
            .iter()
            .map(|item| CodeItem {
                path: item.path.clone(),
                kind: item.kind.clone(),
                module: item.module.clone(),
                file: item.file.clone(),
                line: item.line,
            })
            .collect(),
        references: analysis
            .edges
            .iter()
            .map(|edge| Reference {
                from: edge.from.clone(),
                to: edge.to.clone(),
                kind: edge.kind.clone(),
            })
            .collect(),
        handlers: analysis
            .routes
            .iter()
            .map(|route| Handler {
                method: route.method.clone(),
                path: route.path.clone(),
                handler: route.handler.clone(),
                module: route.module.clone(),
                file: route.file.clone(),
                line: route.line,
                framework: route.framework.clone(),
            })
            .collect(),
        accesses: analysis
            .accesses
            .iter()
            .map(|access| TableAccess {
                module: access.module.clone(),
                table: access.table.clone(),
                write: access.mode == "write",
                file: access.file.clone(),
                line: access.line,
                lines: access.lines.clone(),
            })
            .collect(),
    }
}

fn port_summary(port: &Port) -> String {
    let count = |class: Class| {
        port.operations
            .iter()
            .filter(|operation| operation.class == class)
            .count()
    };
    let mut text = format!(
        "Service {}: {} modules, {} operations the rest of the monolith calls ({} ready, {} needs change, {} blocked), {} types, {} routes, {} tables.\n",
        port.service,
        port.modules.len(),
        port.operations.len(),
        count(Class::Ready),
        count(Class::NeedsChange),
        count(Class::Blocked),
        port.types.len(),
        port.routes.len(),
        port.tables.len(),
    );
    for class in [Class::Blocked, Class::NeedsChange, Class::Ready] {
        let operations: Vec<_> = port
            .operations
            .iter()
            .filter(|operation| operation.class == class)
            .collect();
        if operations.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{}:\n", capitalised(class.as_str())));
        for operation in operations {
            text.push_str(&format!(
                "  {}  ({}:{})\n",
                operation.path, operation.file, operation.line
            ));
            for finding in &operation.findings {
                text.push_str(&format!(
                    "    - {} ({}:{}): {}\n",
                    finding.what, finding.file, finding.line, finding.fix
                ));
            }
        }
    }
    text
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
