//! The helpers every test goes through: they are the only code that calls the crate, so a
//! change of API is a change here.

use std::path::Path;

pub(crate) use ficus_plan::Draft;
use ficus_plan::{DraftRoute, DraftService, Error, Plan, PlanDocument, RouteKey};

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

/// A draft service, built in tests with [`DraftSpec`] calls.
pub(crate) struct DraftSpec {
    service: DraftService,
}

/// A proposed service taking `modules`.
pub(crate) fn proposed(name: &str, modules: &[&str]) -> DraftSpec {
    DraftSpec {
        service: DraftService {
            name: name.to_string(),
            modules: strings(modules),
            routes: Vec::new(),
            tables: Vec::new(),
            rank: None,
        },
    }
}

impl DraftSpec {
    pub(crate) fn routes(mut self, routes: &[&str]) -> DraftSpec {
        self.service.routes = routes
            .iter()
            .map(|route| RouteKey::parse(route).unwrap_or_else(|error| panic!("{route}: {error}")))
            .map(DraftRoute::new)
            .collect();
        self
    }

    pub(crate) fn tables(mut self, tables: &[&str]) -> DraftSpec {
        self.service.tables = strings(tables);
        self
    }

    pub(crate) fn rank(mut self, rank: u32) -> DraftSpec {
        self.service.rank = Some(rank);
        self
    }

    pub(crate) fn without_rank(mut self) -> DraftSpec {
        self.service.rank = None;
        self
    }

    pub(crate) fn renamed(mut self, name: &str) -> DraftSpec {
        self.service.name = name.to_string();
        self
    }

    pub(crate) fn with_module(mut self, module: &str) -> DraftSpec {
        self.service.modules.push(module.to_string());
        self
    }

    pub(crate) fn with_routes(self, routes: &[&str]) -> DraftSpec {
        self.routes(routes)
    }

    /// Says that the service's route `route` (already listed) has several `handlers`.
    pub(crate) fn handled_by(mut self, route: &str, handlers: &[&str]) -> DraftSpec {
        let key = RouteKey::parse(route).unwrap_or_else(|error| panic!("{route}: {error}"));
        let Some(found) = self
            .service
            .routes
            .iter_mut()
            .find(|found| found.key == key)
        else {
            panic!("{route} is not a route of {}", self.service.name);
        };
        found.handlers = strings(handlers);
        self
    }
}

/// A draft: every module found, the proposed services, the shared kernel.
pub(crate) fn draft(modules: &[&str], services: Vec<DraftSpec>, kernel: &[&str]) -> Draft {
    Draft {
        modules: strings(modules),
        services: services.into_iter().map(|spec| spec.service).collect(),
        shared_kernel: strings(kernel),
    }
}

/// Reads `text` as a document that must be valid.
pub(crate) fn document(text: &str) -> PlanDocument {
    PlanDocument::parse(text, Path::new(FILE))
        .unwrap_or_else(|error| panic!("{error}\n---\n{text}"))
}

/// Applies `draft` to `before` and checks the resulting text (`before` with each `(old, new)`
/// replacement made; each `old` must occur exactly once) and the changes, as displayed. Also
/// checks that the text reads back as the document's plan and that applying the same draft
/// again changes no text.
pub(crate) fn check_replan(
    before: &str,
    draft: &Draft,
    edits: &[(&str, &str)],
    expected_changes: &[&str],
) {
    let mut expected_text = before.to_string();
    for (old, new) in edits {
        assert_eq!(
            expected_text.matches(old).count(),
            1,
            "edit target must occur once: {old:?}"
        );
        expected_text = expected_text.replacen(old, new, 1);
    }
    let mut doc = document(before);
    let changes = doc
        .apply(draft)
        .unwrap_or_else(|error| panic!("apply failed: {error}"));
    let changes: Vec<String> = changes.iter().map(ToString::to_string).collect();
    let text = doc.to_string();
    assert_eq!(
        text, expected_text,
        "\n--- got:\n{text}\n--- expected:\n{expected_text}"
    );
    assert_eq!(changes, expected_changes);
    assert_eq!(check_ok(&text), *doc.plan());
    doc.apply(draft).expect("second apply");
    assert_eq!(
        doc.to_string(),
        text,
        "applying the same draft twice changed the text"
    );
}

/// Applies a draft that must fail, and checks the error and that the document is unchanged.
pub(crate) fn check_replan_error(before: &str, draft: &Draft, expected: &str) {
    let mut doc = document(before);
    match doc.apply(draft) {
        Ok(changes) => panic!("expected an error, got {changes:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
    assert_eq!(doc.to_string(), before);
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}
