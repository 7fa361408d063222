//! Traffic split tests: shares of the weighted and sticky picks within statistical bounds, the
//! monotone cohorts of sticky users as weights move, the override rules, `strip_override`,
//! how sticky keys are read from headers, cookies and query strings, and pinned hash values.
//! `check_pick` is the only place that calls `pick` with a fixed expectation; the statistical
//! tests go through `count_shares`.

use std::collections::BTreeSet;

use http::HeaderMap;
use http::header::{COOKIE, HeaderName, HeaderValue};

use super::*;
use crate::pattern::PathPattern;

/// Bounds for the statistical tests, in standard deviations of a binomial count. Seeded
/// generators and fixed user ids make those tests deterministic; the bound says how far off
/// a correct implementation could plausibly be.
const N_SIGMAS: f64 = 4.0;

const N_DRAWS: usize = 20_000;

fn targets(weights: &[(&str, u32)]) -> Vec<Target> {
    weights
        .iter()
        .map(|(upstream, weight)| Target {
            upstream: (*upstream).to_owned(),
            weight: *weight,
        })
        .collect()
}

fn route(weights: &[(&str, u32)], sticky: Option<Sticky>, allow_override: bool) -> Route {
    Route {
        name: "orders".to_owned(),
        // Tests build only valid patterns.
        path: PathPattern::parse("/api/orders/**").expect("valid pattern"),
        methods: None,
        host: None,
        headers: Vec::new(),
        targets: targets(weights),
        sticky,
        allow_override,
        fallback: true,
        request_timeout: None,
        shadow: None,
        rollout: false,
        from_plan: false,
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut header_map = HeaderMap::new();
    for (name, value) in pairs {
        // Tests use only valid names and values.
        header_map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            HeaderValue::from_str(value).expect("valid header value"),
        );
    }
    header_map
}

fn upstream_of(route: &Route, target_idx: usize) -> &str {
    &route.targets[target_idx].upstream
}

fn check_pick(
    route: &Route,
    request_headers: &[(&str, &str)],
    query: Option<&str>,
    expected_upstream: &str,
    expected_reason: PickReason,
) {
    let chosen = pick(route, &headers(request_headers), query);
    assert_eq!(
        (upstream_of(route, chosen.target_idx), chosen.reason),
        (expected_upstream, expected_reason),
        "headers {request_headers:?}, query {query:?}"
    );
}

/// How many of `N_DRAWS` choices went to each target.
fn count_shares(n_targets: usize, mut choose: impl FnMut(usize) -> usize) -> Vec<usize> {
    let mut counts = vec![0; n_targets];
    for draw_idx in 0..N_DRAWS {
        counts[choose(draw_idx)] += 1;
    }
    counts
}

/// Asserts each count is within `n_sigmas` standard deviations of weight / sum of `N_DRAWS`.
fn assert_shares(counts: &[usize], weights: &[(&str, u32)], n_sigmas: f64) {
    let total_weight: u32 = weights.iter().map(|(_, weight)| weight).sum();
    for ((upstream, weight), count) in weights.iter().zip(counts) {
        let share = f64::from(*weight) / f64::from(total_weight);
        let expected = share * N_DRAWS as f64;
        let sigma = (N_DRAWS as f64 * share * (1.0 - share)).sqrt();
        let deviation = (*count as f64 - expected).abs();
        assert!(
            deviation <= n_sigmas * sigma,
            "{upstream}: {count} of {N_DRAWS}, expected {expected:.0} ± {:.0}; all counts {counts:?}",
            n_sigmas * sigma
        );
        if *weight == 0 {
            assert_eq!(*count, 0, "{upstream} has weight 0");
        }
    }
}

fn user_id(user_idx: usize) -> String {
    format!("user-{user_idx}")
}

/// The users (of 10,000) that sticky hashing sends to `upstream` with these weights.
fn cohort(weights: &[(&str, u32)], upstream: &str) -> BTreeSet<usize> {
    let targets = targets(weights);
    (0..10_000)
        .filter(|user_idx| {
            let target_idx = sticky_choice(user_id(*user_idx).as_bytes(), &targets);
            target_idx.map(|target_idx| targets[target_idx].upstream.as_str()) == Some(upstream)
        })
        .collect()
}

/// The upstream of each of 10,000 users with these weights.
fn assignment(weights: &[(&str, u32)]) -> Vec<String> {
    let targets = targets(weights);
    (0..10_000)
        .map(|user_idx| {
            // Every test weight list has a weight above 0.
            let target_idx =
                sticky_choice(user_id(user_idx).as_bytes(), &targets).expect("a positive weight");
            targets[target_idx].upstream.clone()
        })
        .collect()
}

/// The decoded sticky key `pick` would hash, if any.
fn key_of(
    sticky: &Sticky,
    request_headers: &[(&str, &str)],
    query: Option<&str>,
) -> Option<String> {
    let header_map = headers(request_headers);
    sticky_key(sticky, &header_map, query)
        .map(|key| String::from_utf8_lossy(&key.bytes().collect::<Vec<u8>>()).into_owned())
}

fn cookie_headers(header_map: &HeaderMap) -> Vec<&str> {
    header_map
        .get_all(COOKIE)
        .iter()
        // Tests put only ASCII cookies in.
        .map(|value| value.to_str().expect("ascii cookie"))
        .collect()
}

// Weighted random.

#[test]
fn weighted_choice_maps_the_random_range_in_target_order() {
    let three = targets(&[("monolith", 90), ("dark", 0), ("svc", 10)]);
    assert_eq!(weighted_choice(&three, 0), Some(0));
    assert_eq!(weighted_choice(&three, u64::MAX), Some(2));
    // 90% of the range goes to the monolith: just below and at the boundary.
    let boundary = (u64::MAX / 10) * 9;
    assert_eq!(weighted_choice(&three, boundary - (1 << 20)), Some(0));
    assert_eq!(weighted_choice(&three, boundary + (1 << 20)), Some(2));
}

#[test]
fn weighted_choice_without_a_positive_weight_is_none() {
    assert_eq!(weighted_choice(&[], 7), None);
    assert_eq!(
        weighted_choice(&targets(&[("monolith", 0), ("svc", 0)]), 7),
        None
    );
}

#[test]
fn weighted_choice_never_draws_a_weight_zero_target() {
    let with_dark = targets(&[("dark", 0), ("monolith", 1), ("dark2", 0)]);
    for random in [0, 1, u64::MAX / 2, u64::MAX - 1, u64::MAX] {
        assert_eq!(weighted_choice(&with_dark, random), Some(1));
    }
}

#[test]
fn weighted_split_90_10_within_bounds() {
    let weights = [("monolith", 90), ("svc", 10)];
    let split = targets(&weights);
    let mut rng = fastrand::Rng::with_seed(90_10);
    let counts = count_shares(2, |_| {
        weighted_choice(&split, rng.u64(..)).expect("positive weight")
    });
    assert_shares(&counts, &weights, N_SIGMAS);
}

#[test]
fn weighted_split_three_way_within_bounds() {
    let weights = [
        ("monolith", 50),
        ("dark", 0),
        ("orders", 30),
        ("billing", 20),
    ];
    let split = targets(&weights);
    let mut rng = fastrand::Rng::with_seed(50_30_20);
    let counts = count_shares(4, |_| {
        weighted_choice(&split, rng.u64(..)).expect("positive weight")
    });
    assert_shares(&counts, &weights, N_SIGMAS);
}

#[test]
fn pick_without_sticky_draws_by_weight_from_the_thread_rng() {
    fastrand::seed(2024);
    let weights = [("monolith", 70), ("svc", 30)];
    let weighted = route(&weights, None, false);
    let no_headers = HeaderMap::new();
    let counts = count_shares(2, |_| {
        let chosen = pick(&weighted, &no_headers, None);
        assert_eq!(chosen.reason, PickReason::Weighted);
        chosen.target_idx
    });
    assert_shares(&counts, &weights, N_SIGMAS);
}

#[test]
fn a_single_positive_target_does_not_touch_the_rng() {
    let only_svc = route(
        &[("monolith", 0), ("svc", 100)],
        Some(Sticky::Header("x-user".to_owned())),
        true,
    );
    fastrand::seed(11);
    check_pick(
        &only_svc,
        &[("x-user", "42")],
        Some("a=1"),
        "svc",
        PickReason::Only,
    );
    check_pick(&only_svc, &[], None, "svc", PickReason::Only);
    assert_eq!(fastrand::u64(..), fastrand::Rng::with_seed(11).u64(..));
}

#[test]
fn the_default_route_shape_is_only() {
    check_pick(
        &route(&[("monolith", 1)], None, false),
        &[],
        None,
        "monolith",
        PickReason::Only,
    );
}

// Sticky: shares and stability.

#[test]
fn sticky_share_90_10_within_bounds() {
    let weights = [("monolith", 90), ("svc", 10)];
    let split = targets(&weights);
    let counts = count_shares(2, |user_idx| {
        sticky_choice(user_id(user_idx).as_bytes(), &split).expect("positive weight")
    });
    assert_shares(&counts, &weights, N_SIGMAS);
}

#[test]
fn sticky_share_three_way_within_bounds() {
    let weights = [
        ("monolith", 50),
        ("orders", 30),
        ("dark", 0),
        ("billing", 20),
    ];
    let split = targets(&weights);
    let counts = count_shares(4, |user_idx| {
        sticky_choice(format!("{user_idx:08x}@example.com").as_bytes(), &split)
            .expect("positive weight")
    });
    assert_shares(&counts, &weights, N_SIGMAS);
}

#[test]
fn sticky_choice_without_a_positive_weight_is_none() {
    assert_eq!(sticky_choice(b"user-1", &[]), None);
    assert_eq!(sticky_choice(b"user-1", &targets(&[("monolith", 0)])), None);
}

#[test]
fn same_key_gets_the_same_target_every_time() {
    let sticky = route(
        &[("monolith", 50), ("svc", 50)],
        Some(Sticky::Header("x-user".to_owned())),
        false,
    );
    for user_idx in 0..200 {
        let user = user_id(user_idx);
        let expected = sticky_choice(user.as_bytes(), &sticky.targets).expect("positive weight");
        for _ in 0..5 {
            check_pick(
                &sticky,
                &[("x-user", &user)],
                None,
                upstream_of(&sticky, expected),
                PickReason::Sticky,
            );
        }
    }
}

#[test]
fn sticky_ignores_target_order_and_common_factors() {
    let reference = assignment(&[("monolith", 90), ("svc", 10)]);
    assert_eq!(assignment(&[("svc", 10), ("monolith", 90)]), reference);
    assert_eq!(assignment(&[("monolith", 9), ("svc", 1)]), reference);
}

#[test]
fn sticky_never_picks_a_weight_zero_target() {
    assert!(cohort(&[("monolith", 100), ("dark", 0)], "dark").is_empty());
}

// Sticky: monotone cohorts.

#[test]
fn service_cohort_only_grows_while_its_weight_grows() {
    let at_10 = cohort(&[("monolith", 90), ("svc", 10)], "svc");
    let at_20 = cohort(&[("monolith", 80), ("svc", 20)], "svc");
    let at_50 = cohort(&[("monolith", 50), ("svc", 50)], "svc");
    let at_100 = cohort(&[("monolith", 0), ("svc", 100)], "svc");
    assert!(at_10.is_subset(&at_20));
    assert!(at_20.is_subset(&at_50));
    assert!(at_50.is_subset(&at_100));
    assert_eq!(at_100.len(), 10_000);
    // The cohorts really grow, so the subset checks are not vacuous.
    assert!(at_10.len() > 800 && at_20.len() > 1_800 && at_50.len() > 4_800);
}

#[test]
fn shrinking_moves_the_newest_users_back_first() {
    let at_20 = cohort(&[("monolith", 80), ("svc", 20)], "svc");
    let at_50 = cohort(&[("monolith", 50), ("svc", 50)], "svc");
    let back_at_20 = cohort(&[("monolith", 80), ("svc", 20)], "svc");
    assert_eq!(back_at_20, at_20, "exactly the users on svc at 20% stay");
    let moved_back: BTreeSet<usize> = at_50.difference(&back_at_20).copied().collect();
    let joined_after_20: BTreeSet<usize> = at_50.difference(&at_20).copied().collect();
    assert_eq!(moved_back, joined_after_20);
}

#[test]
fn raising_one_of_three_weights_only_moves_users_to_it() {
    let before = assignment(&[("monolith", 60), ("orders", 30), ("billing", 10)]);
    let after = assignment(&[("monolith", 60), ("orders", 30), ("billing", 40)]);
    let mut n_moved = 0;
    for (user_idx, (old, new)) in before.iter().zip(&after).enumerate() {
        if old != new {
            assert_eq!(new, "billing", "user {user_idx} moved from {old} to {new}");
            n_moved += 1;
        }
    }
    assert!(n_moved > 1_000, "only {n_moved} users moved");
}

#[test]
fn lowering_one_of_three_weights_only_moves_users_from_it() {
    let before = assignment(&[("monolith", 60), ("orders", 30), ("billing", 40)]);
    let after = assignment(&[("monolith", 60), ("orders", 10), ("billing", 40)]);
    let mut n_moved = 0;
    for (user_idx, (old, new)) in before.iter().zip(&after).enumerate() {
        if old != new {
            assert_eq!(old, "orders", "user {user_idx} moved from {old} to {new}");
            n_moved += 1;
        }
    }
    assert!(n_moved > 1_000, "only {n_moved} users moved");
}

// The hash: pinned, because changing it reshuffles every sticky user.

#[test]
fn fnv_part_matches_the_published_fnv1a_vectors() {
    for (input, expected) in [
        (&b""[..], 0xcbf2_9ce4_8422_2325_u64),
        (b"a", 0xaf63_dc4c_8601_ec8c),
        (b"foobar", 0x8594_4171_f739_67e8),
    ] {
        let mut hasher = StableHasher::new();
        hasher.write(input);
        assert_eq!(hasher.state, expected, "FNV-1a of {input:?}");
    }
}

#[test]
fn hash_values_are_pinned() {
    let hash = |key: &str, upstream: &str| {
        StickyKey::Raw(key.as_bytes())
            .hasher()
            .finish_with_upstream(upstream)
    };
    assert_eq!(hash("", ""), 0xa5e0_dba6_c385_580a);
    assert_eq!(hash("user-42", "svc"), 0x9c7d_36f0_7501_1e63);
    assert_eq!(hash("user-42", "monolith"), 0x67cd_3ffc_c96d_5b51);
    // The lengths keep these apart.
    assert_eq!(hash("ab", "c"), 0xaeb7_1c5b_3f97_797e);
    assert_eq!(hash("a", "bc"), 0x3e0d_0353_1fc4_10b5);
}

#[test]
fn sticky_choices_are_pinned() {
    let split = targets(&[("monolith", 50), ("svc", 50)]);
    let chosen: Vec<usize> = (0..16)
        .map(|user_idx| {
            sticky_choice(user_id(user_idx).as_bytes(), &split).expect("positive weight")
        })
        .collect();
    assert_eq!(chosen, PINNED_CHOICES);
}

/// Checked against an independent reimplementation in Python when the hash was chosen.
const PINNED_CHOICES: [usize; 16] = [0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0];

#[test]
fn form_encoded_keys_hash_like_their_decoded_bytes() {
    let encoded = StickyKey::FormEncoded(b"a%20b+c").hasher();
    assert_eq!(encoded, StickyKey::Raw(b"a b c").hasher());
}

#[test]
fn unit_interval_stays_strictly_inside_zero_and_one() {
    for hash in [0, 1, 1 << 12, u64::MAX >> 1, u64::MAX - 1, u64::MAX] {
        let unit = unit_interval(hash);
        assert!(unit > 0.0 && unit < 1.0, "{hash:#x} -> {unit}");
        assert!((-unit.ln()).is_finite() && -unit.ln() > 0.0);
    }
}

// Override.

#[test]
fn override_header_forces_a_dark_target() {
    let dark = route(&[("monolith", 100), ("svc", 0)], None, true);
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "svc")],
        None,
        "svc",
        PickReason::Override,
    );
}

#[test]
fn override_cookie_forces_a_target() {
    let dark = route(&[("monolith", 100), ("svc", 0)], None, true);
    check_pick(
        &dark,
        &[("cookie", "session=1; ficus-target=svc")],
        None,
        "svc",
        PickReason::Override,
    );
    check_pick(
        &dark,
        &[("cookie", "ficus-target=\"svc\"")],
        None,
        "svc",
        PickReason::Override,
    );
}

#[test]
fn override_beats_sticky() {
    let sticky = route(
        &[("monolith", 50), ("svc", 50)],
        Some(Sticky::Header("x-user".to_owned())),
        true,
    );
    for user_idx in 0..20 {
        let user = user_id(user_idx);
        check_pick(
            &sticky,
            &[("x-user", &user), (OVERRIDE_HEADER, "svc")],
            None,
            "svc",
            PickReason::Override,
        );
        check_pick(
            &sticky,
            &[("x-user", &user), (OVERRIDE_HEADER, "monolith")],
            None,
            "monolith",
            PickReason::Override,
        );
    }
}

#[test]
fn override_header_wins_over_cookie() {
    let split = route(&[("monolith", 50), ("svc", 50)], None, true);
    check_pick(
        &split,
        &[
            (OVERRIDE_HEADER, "monolith"),
            ("cookie", "ficus-target=svc"),
        ],
        None,
        "monolith",
        PickReason::Override,
    );
}

#[test]
fn override_header_naming_an_unknown_upstream_ignores_the_cookie_too() {
    let dark = route(&[("monolith", 100), ("svc", 0)], None, true);
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "nope"), ("cookie", "ficus-target=svc")],
        None,
        "monolith",
        PickReason::Only,
    );
}

#[test]
fn override_is_ignored_when_the_route_does_not_allow_it() {
    let dark = route(&[("monolith", 100), ("svc", 0)], None, false);
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "svc")],
        None,
        "monolith",
        PickReason::Only,
    );
    check_pick(
        &dark,
        &[("cookie", "ficus-target=svc")],
        None,
        "monolith",
        PickReason::Only,
    );
}

#[test]
fn override_naming_an_unknown_upstream_is_ignored() {
    let dark = route(&[("monolith", 100), ("svc", 0)], None, true);
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "billing")],
        None,
        "monolith",
        PickReason::Only,
    );
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "SVC")],
        None,
        "monolith",
        PickReason::Only,
    );
    check_pick(
        &dark,
        &[(OVERRIDE_HEADER, "")],
        None,
        "monolith",
        PickReason::Only,
    );
    check_pick(
        &dark,
        &[("cookie", "ficus-target=billing")],
        None,
        "monolith",
        PickReason::Only,
    );
}

#[test]
fn override_on_a_split_route_falls_back_to_sticky_when_unknown() {
    let sticky = route(
        &[("monolith", 50), ("svc", 50)],
        Some(Sticky::Cookie("uid".to_owned())),
        true,
    );
    let expected = upstream_of(
        &sticky,
        sticky_choice(b"7", &sticky.targets).expect("positive weight"),
    );
    check_pick(
        &sticky,
        &[("cookie", "uid=7; ficus-target=billing")],
        None,
        expected,
        PickReason::Sticky,
    );
}

// strip_override.

#[test]
fn strip_override_removes_the_header_and_only_the_override_cookie() {
    let mut request = headers(&[
        (OVERRIDE_HEADER, "svc"),
        (OVERRIDE_HEADER, "monolith"),
        ("cookie", "session=abc; ficus-target=svc; theme=\"dark\""),
        ("accept", "*/*"),
    ]);
    strip_override(&mut request);
    assert!(request.get(OVERRIDE_HEADER).is_none());
    assert_eq!(cookie_headers(&request), ["session=abc; theme=\"dark\""]);
    assert_eq!(
        request.get("accept").map(HeaderValue::as_bytes),
        Some(&b"*/*"[..])
    );
}

#[test]
fn strip_override_drops_a_cookie_header_left_empty() {
    let mut request = headers(&[("cookie", " ficus-target=svc ; "), ("cookie", "a=1;b=2")]);
    strip_override(&mut request);
    assert_eq!(cookie_headers(&request), ["a=1;b=2"]);
}

#[test]
fn strip_override_cleans_every_cookie_header_in_order() {
    let mut request = headers(&[
        ("cookie", "a=1; ficus-target=svc"),
        ("cookie", "ficus-target=monolith;b=2"),
        ("cookie", "c=3"),
    ]);
    strip_override(&mut request);
    assert_eq!(cookie_headers(&request), ["a=1", "b=2", "c=3"]);
}

#[test]
fn strip_override_leaves_look_alike_cookies_and_unchanged_headers_alone() {
    let untouched = "ficus-target-old=1;  Ficus-Target=svc; xficus-target=2; flag";
    let mut request = headers(&[("cookie", untouched)]);
    strip_override(&mut request);
    assert_eq!(cookie_headers(&request), [untouched]);
}

#[test]
fn strip_override_keeps_the_sensitive_flag() {
    let mut request = HeaderMap::new();
    let mut cookie = HeaderValue::from_static("ficus-target=svc; session=secret");
    cookie.set_sensitive(true);
    request.append(COOKIE, cookie);
    strip_override(&mut request);
    let remaining = request.get(COOKIE).expect("session cookie kept");
    assert_eq!(remaining, "session=secret");
    assert!(remaining.is_sensitive());
}

// Sticky keys: header.

#[test]
fn header_key_is_the_first_value_trimmed() {
    let sticky = Sticky::Header("x-user".to_owned());
    assert_eq!(
        key_of(&sticky, &[("x-user", "42"), ("x-user", "43")], None).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[("X-User", "a%20b")], None).as_deref(),
        Some("a%20b")
    );
    assert_eq!(key_of(&sticky, &[("x-user", "")], None), None);
    assert_eq!(key_of(&sticky, &[("x-other", "42")], None), None);
}

// Sticky keys: cookie.

#[test]
fn cookie_key_is_read_from_any_cookie_header() {
    let sticky = Sticky::Cookie("uid".to_owned());
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=42")], None).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "a=1;uid=42;b=2")], None).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "  a=1 ;  uid = 42 ")], None).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "a=1"), ("cookie", "uid=42")], None).as_deref(),
        Some("42")
    );
}

#[test]
fn cookie_key_loses_its_quotes_but_not_its_encoding() {
    let sticky = Sticky::Cookie("uid".to_owned());
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=\"42\"")], None).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=\"4")], None).as_deref(),
        Some("\"4")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=a%20b")], None).as_deref(),
        Some("a%20b")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=a=b")], None).as_deref(),
        Some("a=b")
    );
}

#[test]
fn cookie_key_first_pair_wins_and_names_are_exact() {
    let sticky = Sticky::Cookie("uid".to_owned());
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid=1; uid=2")], None).as_deref(),
        Some("1")
    );
    assert_eq!(
        key_of(&sticky, &[("cookie", "UID=1; uidx=2; xuid=3")], None),
        None
    );
}

#[test]
fn cookie_pieces_without_equals_are_skipped() {
    let sticky = Sticky::Cookie("uid".to_owned());
    assert_eq!(
        key_of(&sticky, &[("cookie", "uid; uid=7")], None).as_deref(),
        Some("7")
    );
    assert_eq!(key_of(&sticky, &[("cookie", "uid")], None), None);
    assert_eq!(key_of(&sticky, &[("cookie", ";;")], None), None);
}

#[test]
fn empty_cookie_value_falls_back_to_weighted() {
    let sticky = Sticky::Cookie("uid".to_owned());
    assert_eq!(key_of(&sticky, &[("cookie", "uid=")], None), None);
    assert_eq!(key_of(&sticky, &[("cookie", "uid=\"\"")], None), None);
    let split = route(&[("monolith", 50), ("svc", 50)], Some(sticky), false);
    let chosen = pick(&split, &headers(&[("cookie", "uid=")]), None);
    assert_eq!(chosen.reason, PickReason::Weighted);
}

// Sticky keys: query.

#[test]
fn query_key_is_found_among_parameters() {
    let sticky = Sticky::Query("user".to_owned());
    assert_eq!(key_of(&sticky, &[], Some("user=42")).as_deref(), Some("42"));
    assert_eq!(
        key_of(&sticky, &[], Some("a=1&user=42&b=2")).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("a=1&&user=42")).as_deref(),
        Some("42")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("user=1&user=2")).as_deref(),
        Some("1")
    );
    assert_eq!(key_of(&sticky, &[], Some("users=1&xuser=2&User=3")), None);
    assert_eq!(key_of(&sticky, &[], Some("")), None);
    assert_eq!(key_of(&sticky, &[], None), None);
}

#[test]
fn query_key_is_form_decoded() {
    let sticky = Sticky::Query("user".to_owned());
    assert_eq!(
        key_of(&sticky, &[], Some("user=a%20b")).as_deref(),
        Some("a b")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("user=a+b")).as_deref(),
        Some("a b")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("user=%41%6a%2B")).as_deref(),
        Some("Aj+")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("user=a=b")).as_deref(),
        Some("a=b")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("us%65r=42")).as_deref(),
        Some("42")
    );
}

#[test]
fn query_key_keeps_broken_escapes_literally() {
    let sticky = Sticky::Query("user".to_owned());
    assert_eq!(
        key_of(&sticky, &[], Some("user=%zz")).as_deref(),
        Some("%zz")
    );
    assert_eq!(
        key_of(&sticky, &[], Some("user=100%")).as_deref(),
        Some("100%")
    );
    assert_eq!(key_of(&sticky, &[], Some("user=%4")).as_deref(), Some("%4"));
    assert_eq!(
        key_of(&sticky, &[], Some("user=%%41")).as_deref(),
        Some("%A")
    );
}

#[test]
fn query_parameter_without_value_falls_back_to_weighted() {
    let sticky = Sticky::Query("user".to_owned());
    assert_eq!(key_of(&sticky, &[], Some("user")), None);
    assert_eq!(key_of(&sticky, &[], Some("user=&user=42")), None);
    let split = route(&[("monolith", 50), ("svc", 50)], Some(sticky), false);
    let chosen = pick(&split, &HeaderMap::new(), Some("a=1&user"));
    assert_eq!(chosen.reason, PickReason::Weighted);
}

#[test]
fn encoded_and_plain_query_keys_pick_the_same_target() {
    let split = route(
        &[("monolith", 50), ("orders", 30), ("billing", 20)],
        Some(Sticky::Query("user".to_owned())),
        false,
    );
    for user_idx in 0..50 {
        let expected_idx = sticky_choice(format!("u {user_idx}").as_bytes(), &split.targets)
            .expect("positive weight");
        let expected = upstream_of(&split, expected_idx);
        for query in [
            format!("user=u%20{user_idx}"),
            format!("x=1&user=u+{user_idx}"),
        ] {
            check_pick(&split, &[], Some(&query), expected, PickReason::Sticky);
        }
    }
}

#[test]
fn pick_reason_names() {
    let names = [
        PickReason::Override,
        PickReason::Sticky,
        PickReason::Weighted,
        PickReason::Only,
    ]
    .map(PickReason::as_str);
    assert_eq!(names, ["override", "sticky", "weighted", "only"]);
}
