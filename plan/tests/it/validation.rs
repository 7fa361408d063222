//! Reading plan files: what a valid file gives, and every problem a file can have, with its
//! message, line, column and field path.

use crate::support::{HEAD, check_ok, check_problems, check_rest_ok, check_rest_problems};

use ficus_plan::{KernelOnMove, PartitionTarget, RouteState, Signal};

#[test]
fn the_smallest_plan_has_every_default() {
    let plan = check_ok(HEAD);
    assert_eq!(plan.version, 1);
    assert_eq!(plan.monolith.name, "shop");
    assert_eq!(plan.monolith.source.to_str(), Some("."));
    assert_eq!(
        plan.monolith.upstream.as_ref().map(ToString::to_string),
        Some("http://127.0.0.1:8080".to_string())
    );
    assert_eq!(plan.analysis.seed, 42);
    assert_eq!(plan.analysis.target, PartitionTarget::Resolution(1.0));
    assert!(!plan.analysis.all_targets);
    assert_eq!(plan.weights.get(Signal::Import), 0.5);
    assert_eq!(plan.weights.get(Signal::DataWrite), 2.0);
    assert!(plan.constraints.together.is_empty());
    assert!(!plan.constraints.fixed_services);
    assert!(plan.services.is_empty());
    assert!(plan.shared_kernel.modules.is_empty());
    assert!(plan.proxy.is_none());
}

#[test]
fn services_and_routes_keep_file_order() {
    let plan = check_rest_ok(
        "[[service]]
name = \"orders\"
upstream = \"http://127.0.0.1:9002\"
[service.routes]
\"POST /orders\" = \"service\"
\"GET /orders\" = \"monolith\"
\"DELETE /orders/{id}\" = { state = \"canary\", percent = 25 }
\"PUT /orders/{id}\" = \"shadow\"
[[service]]
name = \"catalog\"
",
    );
    let names: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["orders", "catalog"]);
    let routes: Vec<String> = plan
        .routes()
        .map(|(service, route)| format!("{} {} {:?}", service.name, route.key, route.state))
        .collect();
    assert_eq!(
        routes,
        [
            "orders POST /orders Service",
            "orders GET /orders Monolith",
            "orders DELETE /orders/{id} Canary { percent: 25 }",
            "orders PUT /orders/{id} Shadow { percent: 100 }",
        ]
    );
}

#[test]
fn analysis_settings_are_read() {
    let plan = check_rest_ok("[analysis]\nseed = 42\nservices = 8\nall_targets = true\n");
    assert_eq!(plan.analysis.seed, 42);
    assert_eq!(plan.analysis.target, PartitionTarget::Services(8));
    assert!(plan.analysis.all_targets);
    let plan = check_rest_ok("[analysis]\nresolution = 2\n");
    assert_eq!(plan.analysis.target, PartitionTarget::Resolution(2.0));
}

#[test]
fn weights_override_defaults_one_by_one() {
    let plan = check_rest_ok("[weights]\ncall = 3\nco_change = 0.0\n");
    assert_eq!(plan.weights.get(Signal::Call), 3.0);
    assert_eq!(plan.weights.get(Signal::CoChange), 0.0);
    assert_eq!(plan.weights.get(Signal::Method), 1.0);
}

#[test]
fn proxy_part_is_kept_as_written() {
    let plan = check_rest_ok("[proxy]\nlisten = \"127.0.0.1:8000\"\n[proxy.anything]\nx = 1\n");
    let proxy = plan.proxy.expect("proxy part");
    assert_eq!(proxy["listen"].as_str(), Some("127.0.0.1:8000"));
    assert_eq!(proxy["anything"]["x"].as_integer(), Some(1));
}

#[test]
fn route_state_defaults_and_percents() {
    let plan = check_rest_ok(
        "[[service]]
name = \"a\"
upstream = \"http://a:1\"
[service.routes]
\"GET /1\" = \"canary\"
\"GET /2\" = { state = \"shadow\", percent = 5 }
\"GET /3\" = { state = \"service\" }
",
    );
    let states: Vec<RouteState> = plan.services[0].routes.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            RouteState::Canary { percent: 10 },
            RouteState::Shadow { percent: 5 },
            RouteState::Service
        ]
    );
}

// --- TOML and shape ---

#[test]
fn syntax_error() {
    check_problems(
        "version = 1\n[monolith\n",
        &["ficus.toml:2:10: unclosed table, expected `]`"],
    );
}

#[test]
fn duplicate_key_is_a_syntax_error() {
    check_problems(
        "version = 1\nversion = 1\n",
        &["ficus.toml:2:1: duplicate key"],
    );
}

#[test]
fn missing_version() {
    check_problems(
        "[monolith]\nname = \"x\"\nsource = \".\"\n",
        &["ficus.toml:1:1: missing field `version`"],
    );
}

#[test]
fn newer_version_is_reported_before_unknown_fields() {
    check_problems(
        "version = 2\n[monolith]\nname = \"x\"\nsource = \".\"\nfuture = true\n",
        &[
            "ficus.toml:1:11: version: unsupported plan version 2 (this version of ficus reads version 1)",
        ],
    );
}

#[test]
fn version_of_the_wrong_type() {
    check_problems(
        "version = \"1\"\n[monolith]\nname = \"x\"\nsource = \".\"\n",
        &["ficus.toml:1:11: version: invalid type: string \"1\", expected i64"],
    );
}

#[test]
fn missing_monolith() {
    check_problems(
        "version = 1\n",
        &["ficus.toml:1:1: missing field `monolith`"],
    );
}

#[test]
fn unknown_top_level_field() {
    check_rest_problems(
        "[service_defaults]\n",
        &[
            "ficus.toml:6:2: service_defaults: unknown field `service_defaults`, expected one of `version`, `monolith`, `analysis`, `weights`, `constraints`, `service`, `shared_kernel`, `proxy`",
        ],
    );
}

#[test]
fn unknown_service_field() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nport = 9001\n",
        &[
            "ficus.toml:8:1: service[0].port: unknown field `port`, expected one of `name`, `modules`, `upstream`, `tables`, `rank`, `routes`",
        ],
    );
}

#[test]
fn missing_service_name() {
    check_rest_problems(
        "[[service]]\nmodules = []\n",
        &["ficus.toml:6:1: service[0]: missing field `name`"],
    );
}

#[test]
fn wrong_type_in_a_list() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nmodules = [\"a\", 2]\n",
        &["ficus.toml:8:17: service[0].modules[1]: invalid type: integer `2`, expected a string"],
    );
}

#[test]
fn unknown_field_in_a_route_table() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = { state = \"canary\", weight = 5 }\n",
        &[
            "ficus.toml:9:32: service[0].routes.\"GET /x\".weight: unknown field `weight`, expected `state` or `percent`",
        ],
    );
}

#[test]
fn route_value_of_the_wrong_type() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = 3\n",
        &[
            "ficus.toml:9:12: service[0].routes.\"GET /x\": invalid type: integer `3`, expected a state, or a table with `state` and `percent`",
        ],
    );
}

// --- monolith and analysis ---

#[test]
fn empty_monolith_name_and_source() {
    check_problems(
        "version = 1\n[monolith]\nname = \" \"\nsource = \"\"\n",
        &[
            "ficus.toml:3:8: monolith.name: must not be empty",
            "ficus.toml:4:10: monolith.source: must not be empty",
        ],
    );
}

#[test]
fn invalid_monolith_upstream() {
    check_problems(
        "version = 1\n[monolith]\nname = \"x\"\nsource = \".\"\nupstream = \"127.0.0.1:8080\"\n",
        &[
            "ficus.toml:5:12: monolith.upstream: invalid upstream \"127.0.0.1:8080\": expected `http://host:port` or `https://host:port`",
        ],
    );
}

#[test]
fn negative_seed() {
    check_rest_problems(
        "[analysis]\nseed = -1\n",
        &["ficus.toml:7:8: analysis.seed: must be at least 0, not -1"],
    );
}

#[test]
fn resolution_must_be_positive_and_finite() {
    check_rest_problems(
        "[analysis]\nresolution = 0\n",
        &[
            "ficus.toml:7:14: analysis.resolution: resolution must be a finite number above 0, not 0",
        ],
    );
    check_rest_problems(
        "[analysis]\nresolution = nan\n",
        &[
            "ficus.toml:7:14: analysis.resolution: resolution must be a finite number above 0, not NaN",
        ],
    );
}

#[test]
fn zero_services() {
    check_rest_problems(
        "[analysis]\nservices = 0\n",
        &["ficus.toml:7:12: analysis.services: must be at least 1, not 0"],
    );
}

#[test]
fn resolution_and_services_together() {
    check_rest_problems(
        "[analysis]\nresolution = 1.5\nservices = 4\n",
        &["ficus.toml:8:12: analysis.services: set `resolution` or `services`, not both"],
    );
}

// --- weights ---

#[test]
fn unknown_weight() {
    check_rest_problems(
        "[weights]\nimports = 1\n",
        &[
            "ficus.toml:7:1: weights.imports: unknown weight \"imports\" (expected one of import, call, method, inferred_method, type, impl, construct, macro, data_write, data_read, foreign_key, route_prefix, naming, module_tree, co_change, co_author)",
        ],
    );
}

#[test]
fn negative_and_infinite_weights() {
    check_rest_problems(
        "[weights]\ncall = -1\nimport = inf\n",
        &[
            "ficus.toml:7:8: weights.call: weight must be a finite number of 0 or more, not -1",
            "ficus.toml:8:10: weights.import: weight must be a finite number of 0 or more, not inf",
        ],
    );
}

#[test]
fn every_weight_zero() {
    let zeros: String = Signal::ALL
        .iter()
        .map(|signal| format!("{} = 0\n", signal.name()))
        .collect();
    check_rest_problems(
        &format!("[weights]\n{zeros}"),
        &["ficus.toml:7:1: weights: every weight is 0: nothing would couple modules"],
    );
}

// --- services ---

#[test]
fn invalid_service_names() {
    check_rest_problems(
        "[[service]]\nname = \"Orders\"\n[[service]]\nname = \"monolith\"\n[[service]]\nname = \"2fa\"\n[[service]]\nname = \"a-\"\n[[service]]\nname = \"\"\n",
        &[
            "ficus.toml:7:8: service[0].name: invalid service name \"Orders\": use lower-case letters, digits and `-`",
            "ficus.toml:9:8: service[1].name: invalid service name \"monolith\": `monolith` names the monolith itself",
            "ficus.toml:11:8: service[2].name: invalid service name \"2fa\": must start with a letter",
            "ficus.toml:13:8: service[3].name: invalid service name \"a-\": must not end with `-`",
            "ficus.toml:15:8: service[4].name: invalid service name \"\": must not be empty",
        ],
    );
}

#[test]
fn too_long_service_name() {
    let name = "a".repeat(64);
    check_rest_problems(
        &format!("[[service]]\nname = \"{name}\"\n"),
        &[&format!(
            "ficus.toml:7:8: service[0].name: invalid service name \"{name}\": at most 63 characters"
        )],
    );
}

#[test]
fn duplicate_service_name() {
    check_rest_problems(
        "[[service]]\nname = \"orders\"\n[[service]]\nname = \"orders\"\n",
        &["ficus.toml:8:1: service[1].name: service \"orders\" is already defined at line 6"],
    );
}

#[test]
fn invalid_service_upstream() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nupstream = \"http://a:99999\"\n",
        &[
            "ficus.toml:8:12: service[0].upstream: invalid upstream \"http://a:99999\": `99999` is not a port (expected 1 to 65535)",
        ],
    );
}

#[test]
fn invalid_module_pattern() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nmodules = [\"shop::*::x\"]\n",
        &[
            "ficus.toml:8:12: service[0].modules[0]: invalid module pattern \"shop::*::x\": `*` must be the last segment",
        ],
    );
}

#[test]
fn same_pattern_in_two_services() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nmodules = [\"shop::x\"]\n[[service]]\nname = \"b\"\nmodules = [\n  \"shop::y\",\n  \"shop::x\",\n]\n",
        &[
            "ficus.toml:13:3: service[1].modules[1]: module pattern \"shop::x\" is already listed at line 8 (service[0].modules[0])",
        ],
    );
}

#[test]
fn same_pattern_twice_in_one_list() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nmodules = [\"shop::x::**\", \"shop::x::**\"]\n",
        &[
            "ficus.toml:8:27: service[0].modules[1]: module pattern \"shop::x::**\" is already listed at line 8 (service[0].modules[0])",
        ],
    );
}

#[test]
fn same_pattern_in_a_service_and_the_shared_kernel() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nmodules = [\"shop::util\"]\n[shared_kernel]\nmodules = [\"shop::util\"]\n",
        &[
            "ficus.toml:10:12: shared_kernel.modules[0]: module pattern \"shop::util\" is already listed at line 8 (service[0].modules[0])",
        ],
    );
}

#[test]
fn invalid_shared_kernel_pattern() {
    check_rest_problems(
        "[shared_kernel]\nmodules = [\"crate::util\"]\n",
        &[
            "ficus.toml:7:12: shared_kernel.modules[0]: invalid module pattern \"crate::util\": start with the crate name as code sees it (`my_crate::a`), not `crate`",
        ],
    );
}

#[test]
fn shared_kernel_on_move_is_carry_unless_the_plan_says_depend() {
    assert_eq!(
        check_rest_ok("[shared_kernel]\nmodules = []\n")
            .shared_kernel
            .on_move,
        KernelOnMove::Carry
    );
    assert_eq!(
        check_rest_ok("[shared_kernel]\non_move = \"depend\"\n")
            .shared_kernel
            .on_move,
        KernelOnMove::Depend
    );
    check_rest_problems(
        "[shared_kernel]\non_move = \"copy\"\n",
        &[
            "ficus.toml:7:11: shared_kernel.on_move: unknown variant `copy`, expected `carry` or `depend`",
        ],
    );
}

#[test]
fn empty_table_name() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\ntables = [\"\"]\n",
        &["ficus.toml:8:11: service[0].tables[0]: must not be empty"],
    );
}

#[test]
fn table_owned_by_two_services() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\ntables = [\"orders\"]\n[[service]]\nname = \"b\"\ntables = [\"orders\"]\n",
        &[
            "ficus.toml:11:11: service[1].tables[0]: table \"orders\" is already owned by service \"a\" (line 8)",
        ],
    );
}

#[test]
fn rank_zero() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nrank = 0\n",
        &["ficus.toml:8:8: service[0].rank: must be at least 1, not 0"],
    );
}

// --- routes ---

#[test]
fn unknown_state() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = \"canery\"\n",
        &[
            "ficus.toml:9:12: service[0].routes.\"GET /x\": unknown state \"canery\" (expected monolith, shadow, canary, service or retired)",
        ],
    );
}

#[test]
fn unknown_state_in_a_table() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = { state = \"moved\" }\n",
        &[
            "ficus.toml:9:22: service[0].routes.\"GET /x\".state: unknown state \"moved\" (expected monolith, shadow, canary, service or retired)",
        ],
    );
}

#[test]
fn percent_out_of_range() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\nupstream = \"http://a:1\"\n[service.routes]\n\"GET /x\" = { state = \"canary\", percent = 101 }\n",
        &[
            "ficus.toml:10:42: service[0].routes.\"GET /x\".percent: percent 101 is out of range (expected 0 to 100)",
        ],
    );
}

#[test]
fn percent_on_a_state_without_one() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = { state = \"monolith\", percent = 50 }\n",
        &[
            "ficus.toml:9:44: service[0].routes.\"GET /x\".percent: state \"monolith\" takes no percent (only shadow and canary do)",
        ],
    );
}

#[test]
fn invalid_route_keys() {
    check_rest_problems(
        "[[service]]
name = \"a\"
[service.routes]
\"get /x\" = \"monolith\"
\"ANY /x\" = \"monolith\"
\"GET x\" = \"monolith\"
\"GET  /x\" = \"monolith\"
\"GET /x//y\" = \"monolith\"
\"GET /x?y=1\" = \"monolith\"
\"GET /x{id}\" = \"monolith\"
\"GET /{*rest}/x\" = \"monolith\"
\"GET /{id}/{id}\" = \"monolith\"
\"G3T /x\" = \"monolith\"
",
        &[
            "ficus.toml:9:1: service[0].routes.\"get /x\": invalid route \"get /x\": method `get` must be upper case",
            "ficus.toml:10:1: service[0].routes.\"ANY /x\": invalid route \"ANY /x\": write `*` for every method, not `ANY`",
            "ficus.toml:11:1: service[0].routes.\"GET x\": invalid route \"GET x\": the path must start with `/`",
            "ficus.toml:12:1: service[0].routes.\"GET  /x\": invalid route \"GET  /x\": expected `METHOD /path`, with one space between",
            "ficus.toml:13:1: service[0].routes.\"GET /x//y\": invalid route \"GET /x//y\": empty segment (`//`) in the path",
            "ficus.toml:14:1: service[0].routes.\"GET /x?y=1\": invalid route \"GET /x?y=1\": `?` is not allowed in a path (query strings and fragments are not part of a route)",
            "ficus.toml:15:1: service[0].routes.\"GET /x{id}\": invalid route \"GET /x{id}\": segment `x{id}`: a parameter is a whole segment, `{name}` or `{*name}`",
            "ficus.toml:16:1: service[0].routes.\"GET /{*rest}/x\": invalid route \"GET /{*rest}/x\": `{*rest}` must be the last segment",
            "ficus.toml:17:1: service[0].routes.\"GET /{id}/{id}\": invalid route \"GET /{id}/{id}\": parameter `id` appears twice",
            "ficus.toml:18:1: service[0].routes.\"G3T /x\": invalid route \"G3T /x\": `G3T` is not a method name",
        ],
    );
}

#[test]
fn same_route_in_two_services_even_with_other_parameter_names() {
    check_rest_problems(
        "[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x/{id}\" = \"monolith\"\n[[service]]\nname = \"b\"\n[service.routes]\n\"GET /x/{key}\" = \"monolith\"\n",
        &[
            "ficus.toml:13:1: service[1].routes.\"GET /x/{key}\": route \"GET /x/{key}\" is already listed at line 9 (service[0].routes.\"GET /x/{id}\")",
        ],
    );
}

#[test]
fn a_route_reaching_a_service_needs_its_upstream() {
    check_rest_problems(
        "[[service]]\nname = \"orders\"\n[service.routes]\n\"GET /x\" = \"shadow\"\n\"GET /y\" = \"monolith\"\n",
        &[
            "ficus.toml:9:12: service[0].routes.\"GET /x\": state \"shadow\" sends traffic to service \"orders\", which has no upstream",
        ],
    );
}

#[test]
fn a_route_reaching_a_service_needs_the_monolith_upstream() {
    check_problems(
        "version = 1\n[monolith]\nname = \"x\"\nsource = \".\"\n[[service]]\nname = \"a\"\nupstream = \"http://a:1\"\n[service.routes]\n\"GET /x\" = \"canary\"\n\"GET /y\" = \"service\"\n",
        &[
            "ficus.toml:9:12: service[0].routes.\"GET /x\": state \"canary\" needs the monolith's upstream (monolith.upstream)",
        ],
    );
}

#[test]
fn routes_all_in_the_monolith_need_no_upstream() {
    check_ok(
        "version = 1\n[monolith]\nname = \"x\"\nsource = \".\"\n[[service]]\nname = \"a\"\n[service.routes]\n\"GET /x\" = \"monolith\"\n",
    );
}

// --- constraints ---

#[test]
fn constraint_group_of_one() {
    check_rest_problems(
        "[constraints]\ntogether = [[\"shop::a\"]]\n",
        &[
            "ficus.toml:7:13: constraints.together[0]: a constraint group needs at least two modules",
        ],
    );
}

#[test]
fn invalid_constraint_pattern() {
    check_rest_problems(
        "[constraints]\napart = [[\"shop::a\", \"shop:b\"]]\n",
        &[
            "ficus.toml:7:22: constraints.apart[0][1]: invalid module pattern \"shop:b\": `shop:b` is not a module name",
        ],
    );
}

#[test]
fn together_and_apart_at_once() {
    check_rest_problems(
        "[constraints]\ntogether = [[\"shop::a\", \"shop::b\", \"shop::c\"]]\napart = [[\"shop::c\", \"shop::a\"]]\n",
        &[
            "ficus.toml:8:10: constraints.apart[0]: \"shop::c\" and \"shop::a\" must be together and apart at once (constraints.together[0])",
        ],
    );
}

#[test]
fn together_but_split_by_the_plan() {
    check_rest_problems(
        "[constraints]\ntogether = [[\"shop::orders\", \"shop::payments\"]]\n[[service]]\nname = \"orders\"\nmodules = [\"shop::orders\"]\n[[service]]\nname = \"payments\"\nmodules = [\"shop::payments::**\", \"shop::payments\"]\n",
        &[
            "ficus.toml:7:13: constraints.together[0]: \"shop::orders\" and \"shop::payments\" must be together, but the plan puts them in service \"orders\" and service \"payments\"",
        ],
    );
}

#[test]
fn apart_but_joined_by_the_plan() {
    check_rest_problems(
        "[constraints]\napart = [[\"shop::catalog\", \"shop::inventory\"]]\n[[service]]\nname = \"catalog\"\nmodules = [\"shop::catalog\", \"shop::inventory\"]\n",
        &[
            "ficus.toml:7:10: constraints.apart[0]: \"shop::catalog\" and \"shop::inventory\" must be apart, but the plan puts both in service \"catalog\"",
        ],
    );
}

#[test]
fn constraints_on_unassigned_modules_are_fine() {
    let plan = check_rest_ok(
        "[constraints]\ntogether = [[\"shop::orders\", \"shop::payments::**\"]]\napart = [[\"shop::catalog\", \"shop::inventory\"]]\nfixed_services = true\n",
    );
    assert_eq!(
        plan.constraints.together[0][1].to_string(),
        "shop::payments::**"
    );
    assert!(plan.constraints.fixed_services);
}

// --- all at once ---

#[test]
fn every_problem_is_reported_in_file_order() {
    check_rest_problems(
        "[[service]]\nname = \"B\"\nrank = -3\n[service.routes]\n\"GET /x\" = \"nope\"\n[weights]\ncall = -2\n",
        &[
            "ficus.toml:7:8: service[0].name: invalid service name \"B\": use lower-case letters, digits and `-`",
            "ficus.toml:8:8: service[0].rank: must be at least 1, not -3",
            "ficus.toml:10:12: service[0].routes.\"GET /x\": unknown state \"nope\" (expected monolith, shadow, canary, service or retired)",
            "ficus.toml:12:8: weights.call: weight must be a finite number of 0 or more, not -2",
        ],
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    check_problems(
        "version = 1\n[monolith]\nname = \"café\"; source = 1\n",
        &["ficus.toml:3:14: unexpected key or value, expected newline, `#`"],
    );
}

// --- files ---

#[test]
fn load_reads_a_file_and_names_it_in_problems() {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plan-load");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("ficus.toml");
    std::fs::write(
        &path,
        format!("{HEAD}[[service]]\nname = \"a\"\nrank = 0\n"),
    )
    .unwrap();
    let error = ficus_plan::Plan::load(&path).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}:8:8: service[0].rank: must be at least 1, not 0",
            path.display()
        )
    );
    std::fs::write(&path, HEAD).unwrap();
    let plan = ficus_plan::Plan::load(&path).unwrap();
    assert_eq!(plan.source_dir(&path), folder.join("."));
    let doc = ficus_plan::PlanDocument::load(&path).unwrap();
    assert_eq!(doc.to_string(), HEAD);
    assert_eq!(doc.file(), path);
}

#[test]
fn load_names_a_missing_file() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-folder/ficus.toml");
    let error = ficus_plan::Plan::load(&path).unwrap_err();
    assert_eq!(error.to_string(), format!("cannot read {}", path.display()));
    assert!(std::error::Error::source(&error).is_some());
}
