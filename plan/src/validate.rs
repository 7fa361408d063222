//! From the file schema to a [`Plan`]: every check a plan file must pass, each problem
//! reported with its file, line, column and field path, all of them at once.
//!
//! Checks only what the file itself can tell: it never looks at the monolith's code, so a
//! pattern or route naming something that does not exist is valid here (`ficus plan` reports
//! those when it re-plans).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::error::{Error, Problem, ProblemKind, Problems, Source, quote_key};
use crate::file::{
    AnalysisFile, ConstraintsFile, MonolithFile, OrderedTable, PlanFile, RouteValueFile,
    ServiceFile, SharedKernelFile, VersionProbe,
};
use crate::pattern::ModulePattern;
use crate::plan::{
    Analysis, Constraints, Monolith, Owner, PLAN_VERSION, PartitionTarget, Plan, Route, Service,
    SharedKernel,
};
use crate::route::{RouteKey, RouteState};
use crate::upstream::Upstream;
use crate::weights::{Signal, Weights};

/// Reads plan text: TOML syntax, then the version, then the schema, then every value.
pub(crate) fn parse(text: &str, file: &Path) -> Result<Plan, Error> {
    let source = Source { file, text };
    let probe: VersionProbe =
        toml::from_str(text).map_err(|error| invalid(vec![source.toml_problem(&error, true)]))?;
    if let Some(version) = probe.version
        && let toml::Value::Integer(found) = version.get_ref()
        && *found != i64::from(PLAN_VERSION)
    {
        let kind = ProblemKind::UnsupportedVersion {
            found: found.to_string(),
        };
        return Err(invalid(vec![source.problem(
            version.span(),
            "version".to_string(),
            kind,
        )]));
    }
    let plan_file: PlanFile =
        toml::from_str(text).map_err(|error| invalid(vec![source.toml_problem(&error, false)]))?;
    validate(plan_file, &source)
}

/// Checks every value of a parsed file and builds the plan, or returns every problem found,
/// in file order.
pub(crate) fn validate(file: PlanFile, source: &Source<'_>) -> Result<Plan, Error> {
    let mut checker = Checker {
        source,
        problems: Vec::new(),
        patterns_seen: HashMap::new(),
        monolith_upstream_missing: file.monolith.upstream.is_none(),
    };
    let version = checker.version(&file.version);
    let monolith = checker.monolith(file.monolith);
    let analysis = checker.analysis(file.analysis.unwrap_or_default());
    let weights = checker.weights(file.weights);
    let mut services = Vec::new();
    let mut service_lines: HashMap<String, usize> = HashMap::new();
    let mut table_owners: HashMap<String, (String, usize)> = HashMap::new();
    let mut route_lines: HashMap<String, (usize, String)> = HashMap::new();
    for (idx, service) in file.services.into_iter().enumerate() {
        let span = service.span();
        let service = checker.service(
            idx,
            service.into_inner(),
            &mut table_owners,
            &mut route_lines,
        );
        let line = source.line(span.start);
        if let Some(&first_line) = service_lines.get(&service.name) {
            checker.problems.push(source.problem(
                span,
                format!("service[{idx}].name"),
                ProblemKind::DuplicateService {
                    name: service.name.clone(),
                    first_line,
                },
            ));
        } else {
            service_lines.insert(service.name.clone(), line);
        }
        services.push(service);
    }
    let shared_kernel = checker.shared_kernel(file.shared_kernel.unwrap_or_default());
    let constraints_file = file.constraints.unwrap_or_default();
    let constraints = checker.constraints(&constraints_file);
    let mut plan = Plan {
        version,
        monolith,
        analysis,
        weights,
        constraints,
        services,
        shared_kernel,
        proxy: file.proxy,
    };
    checker.constraints_against_plan(&constraints_file, &plan);
    let mut problems = checker.problems;
    if problems.is_empty() {
        plan.version = PLAN_VERSION;
        return Ok(plan);
    }
    problems.sort_by_key(|problem| (problem.line, problem.column));
    Err(invalid(problems))
}

fn invalid(problems: Vec<Problem>) -> Error {
    Error::Invalid(Problems(problems))
}

struct Checker<'s, 'a> {
    source: &'s Source<'a>,
    problems: Vec<Problem>,
    /// Every module pattern listed by a service or the shared kernel: its line and field.
    patterns_seen: HashMap<ModulePattern, (usize, String)>,
    /// The file writes no monolith upstream, and no route reaching a service said so yet.
    monolith_upstream_missing: bool,
}

impl Checker<'_, '_> {
    fn report<T>(&mut self, value: &Spanned<T>, field: impl Into<String>, kind: ProblemKind) {
        self.problems
            .push(self.source.problem(value.span(), field.into(), kind));
    }

    fn version(&mut self, version: &Spanned<i64>) -> u32 {
        if *version.get_ref() != i64::from(PLAN_VERSION) {
            let found = version.get_ref().to_string();
            self.report(
                version,
                "version",
                ProblemKind::UnsupportedVersion { found },
            );
        }
        PLAN_VERSION
    }

    fn monolith(&mut self, monolith: MonolithFile) -> Monolith {
        if monolith.name.get_ref().trim().is_empty() {
            self.report(&monolith.name, "monolith.name", ProblemKind::Empty);
        }
        if monolith.source.get_ref().trim().is_empty() {
            self.report(&monolith.source, "monolith.source", ProblemKind::Empty);
        }
        let upstream = monolith
            .upstream
            .as_ref()
            .and_then(|upstream| self.upstream(upstream, "monolith.upstream"));
        Monolith {
            name: monolith.name.into_inner(),
            source: PathBuf::from(monolith.source.into_inner()),
            upstream,
        }
    }

    fn upstream(&mut self, url: &Spanned<String>, field: &str) -> Option<Upstream> {
        match Upstream::parse(url.get_ref()) {
            Ok(upstream) => Some(upstream),
            Err(reason) => {
                let url_text = url.get_ref().clone();
                self.report(
                    url,
                    field,
                    ProblemKind::InvalidUpstream {
                        url: url_text,
                        reason,
                    },
                );
                None
            }
        }
    }

    fn analysis(&mut self, analysis: AnalysisFile) -> Analysis {
        let defaults = Analysis::default();
        let seed = match &analysis.seed {
            Some(seed) if *seed.get_ref() < 0 => {
                let value = *seed.get_ref();
                self.report(
                    seed,
                    "analysis.seed",
                    ProblemKind::TooSmall { minimum: 0, value },
                );
                defaults.seed
            }
            Some(seed) => *seed.get_ref() as u64,
            None => defaults.seed,
        };
        if let Some(resolution) = &analysis.resolution {
            let value = *resolution.get_ref();
            if !(value.is_finite() && value > 0.0) {
                self.report(
                    resolution,
                    "analysis.resolution",
                    ProblemKind::InvalidResolution { value },
                );
            }
        }
        let target = match (&analysis.resolution, &analysis.services) {
            (Some(_), Some(services)) => {
                self.report(
                    services,
                    "analysis.services",
                    ProblemKind::ResolutionAndServices,
                );
                defaults.target
            }
            (_, Some(services)) => {
                let value = *services.get_ref();
                match u32::try_from(value) {
                    Ok(count) if count >= 1 => PartitionTarget::Services(count),
                    _ => {
                        let kind = ProblemKind::TooSmall { minimum: 1, value };
                        self.report(services, "analysis.services", kind);
                        defaults.target
                    }
                }
            }
            (Some(resolution), None) => PartitionTarget::Resolution(*resolution.get_ref()),
            (None, None) => defaults.target,
        };
        Analysis {
            seed,
            target,
            all_targets: analysis.all_targets.unwrap_or(defaults.all_targets),
        }
    }

    fn weights(&mut self, weights: Option<OrderedTable<f64>>) -> Weights {
        let mut out = Weights::default();
        let Some(OrderedTable(entries)) = weights else {
            return out;
        };
        for (name, weight) in &entries {
            let field = format!("weights.{}", quote_key(name.get_ref()));
            let Some(signal) = Signal::from_name(name.get_ref()) else {
                let expected = Signal::ALL.map(Signal::name).join(", ");
                let kind = ProblemKind::UnknownWeight {
                    name: name.get_ref().clone(),
                    expected,
                };
                self.report(name, field, kind);
                continue;
            };
            let value = *weight.get_ref();
            if !(value.is_finite() && value >= 0.0) {
                self.report(weight, field, ProblemKind::InvalidWeight { value });
                continue;
            }
            out.set(signal, value);
        }
        if let Some((first, _)) = entries.first()
            && out.iter().all(|(_, weight)| weight == 0.0)
        {
            self.report(first, "weights", ProblemKind::AllWeightsZero);
        }
        out
    }

    fn service(
        &mut self,
        idx: usize,
        service: ServiceFile,
        table_owners: &mut HashMap<String, (String, usize)>,
        route_lines: &mut HashMap<String, (usize, String)>,
    ) -> Service {
        let name = service.name.get_ref().clone();
        if let Err(reason) = check_service_name(&name) {
            let kind = ProblemKind::InvalidServiceName {
                name: name.clone(),
                reason: reason.to_string(),
            };
            self.report(&service.name, format!("service[{idx}].name"), kind);
        }
        let modules = self.patterns(&service.modules, &format!("service[{idx}].modules"), true);
        let upstream = service
            .upstream
            .as_ref()
            .and_then(|upstream| self.upstream(upstream, &format!("service[{idx}].upstream")));
        let mut tables = Vec::new();
        for (table_idx, table) in service.tables.iter().enumerate() {
            let field = format!("service[{idx}].tables[{table_idx}]");
            if table.get_ref().trim().is_empty() {
                self.report(table, field, ProblemKind::Empty);
                continue;
            }
            let line = self.source.line(table.span().start);
            if let Some((owner, first_line)) = table_owners.get(table.get_ref()) {
                let kind = ProblemKind::DuplicateTable {
                    table: table.get_ref().clone(),
                    service: owner.clone(),
                    first_line: *first_line,
                };
                self.report(table, field, kind);
                continue;
            }
            table_owners.insert(table.get_ref().clone(), (name.clone(), line));
            tables.push(table.get_ref().clone());
        }
        let rank = service.rank.as_ref().and_then(|rank| {
            let value = *rank.get_ref();
            match u32::try_from(value) {
                Ok(rank) if rank >= 1 => Some(rank),
                _ => {
                    let kind = ProblemKind::TooSmall { minimum: 1, value };
                    self.report(rank, format!("service[{idx}].rank"), kind);
                    None
                }
            }
        });
        let mut routes = Vec::new();
        for (key, value) in service.routes.map(|table| table.0).unwrap_or_default() {
            let field = format!("service[{idx}].routes.{}", quote_key(key.get_ref()));
            if let Some(route) = self.route(&key, &value, &field, route_lines) {
                if route.state.reaches_service() && upstream.is_none() && service.upstream.is_none()
                {
                    let kind = ProblemKind::ServiceUpstreamMissing {
                        state: route.state.name().to_string(),
                        service: name.clone(),
                    };
                    self.report(&value, field.clone(), kind);
                }
                if route.state.reaches_service() && self.monolith_upstream_missing {
                    // Once: the fix is in one place.
                    self.monolith_upstream_missing = false;
                    let kind = ProblemKind::MonolithUpstreamMissing {
                        state: route.state.name().to_string(),
                    };
                    self.report(&value, field, kind);
                }
                routes.push(route);
            }
        }
        Service {
            name,
            modules,
            upstream,
            tables,
            rank,
            routes,
        }
    }

    fn route(
        &mut self,
        key: &Spanned<String>,
        value: &Spanned<RouteValueFile>,
        field: &str,
        route_lines: &mut HashMap<String, (usize, String)>,
    ) -> Option<Route> {
        let route_key = match RouteKey::parse(key.get_ref()) {
            Ok(route_key) => Some(route_key),
            Err(reason) => {
                let kind = ProblemKind::InvalidRouteKey {
                    key: key.get_ref().clone(),
                    reason,
                };
                self.report(key, field, kind);
                None
            }
        };
        let state = match value.get_ref() {
            RouteValueFile::State(name) => RouteState::from_parts(name, None)
                .map_err(|reason| self.report(value, field, ProblemKind::InvalidState { reason })),
            RouteValueFile::Table(table) => {
                let percent = table.percent.as_ref().map(|percent| *percent.get_ref());
                RouteState::from_parts(table.state.get_ref(), percent).map_err(|reason| {
                    let at_percent = matches!(
                        reason,
                        crate::route::RouteStateError::PercentOutOfRange { .. }
                            | crate::route::RouteStateError::PercentNotAllowed { .. }
                    );
                    let kind = ProblemKind::InvalidState { reason };
                    match (&table.percent, at_percent) {
                        (Some(percent), true) => {
                            self.report(percent, format!("{field}.percent"), kind)
                        }
                        _ => self.report(&table.state, format!("{field}.state"), kind),
                    }
                })
            }
        };
        let route_key = route_key?;
        let shape = route_key.shape();
        let line = self.source.line(key.span().start);
        if let Some((first_line, first_field)) = route_lines.get(&shape) {
            let kind = ProblemKind::DuplicateRoute {
                key: key.get_ref().clone(),
                first_line: *first_line,
                first_field: first_field.clone(),
            };
            self.report(key, field, kind);
            return None;
        }
        route_lines.insert(shape, (line, field.to_string()));
        Some(Route {
            key: route_key,
            state: state.ok()?,
        })
    }

    fn shared_kernel(&mut self, kernel: SharedKernelFile) -> SharedKernel {
        SharedKernel {
            modules: self.patterns(&kernel.modules, "shared_kernel.modules", true),
            on_move: kernel.on_move.unwrap_or_default(),
        }
    }

    /// Parses a list of patterns; `owned` lists (services, kernel) may not repeat a pattern
    /// any owned list already has.
    fn patterns(
        &mut self,
        patterns: &[Spanned<String>],
        field: &str,
        owned: bool,
    ) -> Vec<ModulePattern> {
        let mut out = Vec::new();
        for (idx, text) in patterns.iter().enumerate() {
            let field = format!("{field}[{idx}]");
            let pattern = match ModulePattern::parse(text.get_ref()) {
                Ok(pattern) => pattern,
                Err(reason) => {
                    let kind = ProblemKind::InvalidPattern {
                        pattern: text.get_ref().clone(),
                        reason,
                    };
                    self.report(text, field, kind);
                    continue;
                }
            };
            if owned {
                let line = self.source.line(text.span().start);
                if let Some((first_line, first_field)) = self.patterns_seen.get(&pattern) {
                    let kind = ProblemKind::DuplicatePattern {
                        pattern: text.get_ref().clone(),
                        first_line: *first_line,
                        first_field: first_field.clone(),
                    };
                    self.report(text, field, kind);
                    continue;
                }
                self.patterns_seen.insert(pattern.clone(), (line, field));
            }
            out.push(pattern);
        }
        out
    }

    fn constraints(&mut self, constraints: &ConstraintsFile) -> Constraints {
        let mut groups = |list: &[Spanned<Vec<Spanned<String>>>], name: &str| {
            let mut out = Vec::new();
            for (idx, group) in list.iter().enumerate() {
                let field = format!("constraints.{name}[{idx}]");
                if group.get_ref().len() < 2 {
                    self.report(group, field.clone(), ProblemKind::ConstraintTooSmall);
                }
                out.push(self.patterns(group.get_ref(), &field, false));
            }
            out
        };
        let together = groups(&constraints.together, "together");
        let apart = groups(&constraints.apart, "apart");
        for (apart_idx, group) in constraints.apart.iter().enumerate() {
            let members = group.get_ref();
            'pairs: for (first_idx, first) in members.iter().enumerate() {
                for second in &members[first_idx + 1..] {
                    let together_idx = constraints.together.iter().position(|together| {
                        let has = |text: &Spanned<String>| {
                            together
                                .get_ref()
                                .iter()
                                .any(|member| member.get_ref() == text.get_ref())
                        };
                        has(first) && has(second)
                    });
                    if let Some(together_idx) = together_idx {
                        let kind = ProblemKind::ContradictoryConstraints {
                            first: first.get_ref().clone(),
                            second: second.get_ref().clone(),
                            other_field: format!("constraints.together[{together_idx}]"),
                        };
                        self.report(group, format!("constraints.apart[{apart_idx}]"), kind);
                        break 'pairs;
                    }
                }
            }
        }
        Constraints {
            together,
            apart,
            fixed_services: constraints.fixed_services.unwrap_or(false),
        }
    }

    /// Constraints that contradict where the plan itself puts modules: only modules named
    /// exactly are compared, since a wildcard's members are not known here.
    fn constraints_against_plan(&mut self, constraints: &ConstraintsFile, plan: &Plan) {
        let owner_name = |owner: Owner<'_>| match owner {
            Owner::Service(service) => format!("service \"{}\"", service.name),
            Owner::SharedKernel => "the shared kernel".to_string(),
        };
        for (idx, group) in constraints.together.iter().enumerate() {
            let owned = exact_members(group.get_ref(), plan);
            let split = owned.iter().enumerate().find_map(|(first_idx, first)| {
                owned[first_idx + 1..]
                    .iter()
                    .find(|second| !same_owner(first.1, second.1))
                    .map(|second| (first, second))
            });
            if let Some(((first, first_owner), (second, second_owner))) = split {
                let kind = ProblemKind::TogetherSplit {
                    first: first.to_string(),
                    second: second.to_string(),
                    first_owner: owner_name(*first_owner),
                    second_owner: owner_name(*second_owner),
                };
                self.report(group, format!("constraints.together[{idx}]"), kind);
            }
        }
        for (idx, group) in constraints.apart.iter().enumerate() {
            let owned = exact_members(group.get_ref(), plan);
            let joined = owned.iter().enumerate().find_map(|(first_idx, first)| {
                let Owner::Service(service) = first.1 else {
                    return None;
                };
                owned[first_idx + 1..]
                    .iter()
                    .find(|second| same_owner(first.1, second.1))
                    .map(|second| (first.0, second.0, service))
            });
            if let Some((first, second, service)) = joined {
                let kind = ProblemKind::ApartJoined {
                    first: first.to_string(),
                    second: second.to_string(),
                    service: service.name.clone(),
                };
                self.report(group, format!("constraints.apart[{idx}]"), kind);
            }
        }
    }
}

/// Members of a constraint group named exactly, with the owner the plan gives them.
fn exact_members<'p>(members: &'p [Spanned<String>], plan: &'p Plan) -> Vec<(&'p str, Owner<'p>)> {
    members
        .iter()
        .filter_map(|member| {
            let pattern = ModulePattern::parse(member.get_ref()).ok()?;
            if pattern.kind() != crate::pattern::PatternKind::Exact {
                return None;
            }
            let owner = plan.owner_of(pattern.prefix())?;
            Some((member.get_ref().as_str(), owner))
        })
        .collect()
}

fn same_owner(first: Owner<'_>, second: Owner<'_>) -> bool {
    match (first, second) {
        (Owner::Service(first), Owner::Service(second)) => std::ptr::eq(first, second),
        (Owner::SharedKernel, Owner::SharedKernel) => true,
        _ => false,
    }
}

/// A service name becomes a crate name, a host name and a metrics label: a DNS label (RFC
/// 1123) in lower case, and not `monolith`, which names the monolith's traffic.
pub(crate) fn check_service_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("must not be empty");
    }
    if name == "monolith" {
        return Err("`monolith` names the monolith itself");
    }
    if name.len() > 63 {
        return Err("at most 63 characters");
    }
    if !name
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    {
        return Err("use lower-case letters, digits and `-`");
    }
    if !name.starts_with(|char: char| char.is_ascii_lowercase()) {
        return Err("must start with a letter");
    }
    if name.ends_with('-') {
        return Err("must not end with `-`");
    }
    Ok(())
}
