//! The traffic split through the running proxy: weighted random shares over thousands of
//! requests, sticky users by header, cohorts that only grow while a service's weight grows and
//! shrink last-in-first-out (weights changed at run time through the admin API), the weighted
//! fallback for requests without a key, and the tester override (`x-ficus-target` header,
//! `ficus-target` cookie), honoured only with `allow_override` and never seen upstream.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::support::{
    Proxy, Upstream, client, config_with_upstreams, get, set_weights, start_with_admin,
};

/// The monolith and the service, and a config whose route `checkout` (`/checkout/**`) splits
/// between them with `weights` and the extra `route_lines`.
async fn split_fixture(weights: (u32, u32), route_lines: &str) -> (Upstream, Upstream, String) {
    let monolith = Upstream::echo("monolith").await;
    let service = Upstream::echo("service").await;
    let mut config =
        config_with_upstreams(&[("monolith", monolith.addr), ("service", service.addr)]);
    config.push_str(&format!(
        "\n[[route]]\nname = \"checkout\"\npath = \"/checkout/**\"\ntargets = [{{ upstream = \"monolith\", weight = {} }}, {{ upstream = \"service\", weight = {} }}]\n{route_lines}\n",
        weights.0, weights.1
    ));
    (monolith, service, config)
}

/// Sends `n_requests` requests to `path` from 8 concurrent tasks, each with `headers`, and
/// returns how many the service answered.
async fn count_service_answers(
    proxy: &Proxy,
    path: &str,
    headers: &'static [(&'static str, &'static str)],
    n_requests: usize,
) -> usize {
    const N_TASKS: usize = 8;
    let url = Arc::new(proxy.url(path));
    let mut tasks = Vec::new();
    for task_idx in 0..N_TASKS {
        let url = Arc::clone(&url);
        let n_task_requests = n_requests / N_TASKS + usize::from(task_idx < n_requests % N_TASKS);
        tasks.push(tokio::spawn(async move {
            let client = client();
            let mut n_service = 0;
            for _ in 0..n_task_requests {
                let reply = get(&client, &url, headers).await;
                assert_eq!(reply.status, 200);
                if reply.json()["upstream"] == "service" {
                    n_service += 1;
                }
            }
            n_service
        }));
    }
    let mut n_service = 0;
    for task in tasks {
        n_service += task.await.expect("request task");
    }
    n_service
}

/// Asserts that `observed` successes out of `n_trials` with probability `share` are within
/// four standard deviations of the expected count (a false alarm about once in 16000 runs).
fn assert_binomial(observed: usize, n_trials: usize, share: f64) {
    let expected = n_trials as f64 * share;
    let deviation = (n_trials as f64 * share * (1.0 - share)).sqrt();
    assert!(
        (observed as f64 - expected).abs() <= 4.0 * deviation,
        "{observed} of {n_trials}, expected {expected} ± {}",
        4.0 * deviation
    );
}

/// Sends one request per user (`x-user-id: <user>`) and returns the users the service got.
async fn users_on_service(proxy: &Proxy, users: &[String]) -> BTreeSet<String> {
    let client = client();
    let url = proxy.url("/checkout/cart");
    let mut on_service = BTreeSet::new();
    for user in users {
        let reply = get(&client, &url, &[("x-user-id", user)]).await;
        assert_eq!(reply.status, 200);
        if reply.json()["upstream"] == "service" {
            on_service.insert(user.clone());
        }
    }
    on_service
}

fn users(n_users: usize) -> Vec<String> {
    (0..n_users)
        .map(|user_idx| format!("user-{user_idx}"))
        .collect()
}

#[tokio::test]
async fn weighted_split_90_10_within_statistical_bounds() {
    let (monolith, service, config) = split_fixture((90, 10), "").await;
    let proxy = Proxy::start(&config).await;
    let n_requests = 4000;

    let n_service = count_service_answers(&proxy, "/checkout/pay", &[], n_requests).await;

    assert_binomial(n_service, n_requests, 0.1);
    assert_eq!(service.hits(), n_service);
    assert_eq!(monolith.hits(), n_requests - n_service);
    proxy.shutdown().await;
}

#[tokio::test]
async fn requests_without_a_sticky_key_fall_back_to_weighted_random() {
    let (_monolith, _service, config) =
        split_fixture((50, 50), "sticky = { header = \"x-user-id\" }").await;
    let proxy = Proxy::start(&config).await;

    let without_key = count_service_answers(&proxy, "/checkout/pay", &[], 1000).await;
    assert_binomial(without_key, 1000, 0.5);
    let empty_key =
        count_service_answers(&proxy, "/checkout/pay", &[("x-user-id", " ")], 1000).await;
    assert_binomial(empty_key, 1000, 0.5);
    proxy.shutdown().await;
}

#[tokio::test]
async fn sticky_header_keeps_each_user_on_one_target() {
    let (_monolith, _service, config) =
        split_fixture((50, 50), "sticky = { header = \"x-user-id\" }").await;
    let proxy = Proxy::start(&config).await;
    let users = users(200);

    let first = users_on_service(&proxy, &users).await;
    for _ in 0..4 {
        assert_eq!(users_on_service(&proxy, &users).await, first);
    }
    assert_binomial(first.len(), users.len(), 0.5);
    proxy.shutdown().await;
}

#[tokio::test]
async fn cohorts_grow_monotonically_and_shrink_last_in_first_out() {
    let (_monolith, _service, config) =
        split_fixture((90, 10), "sticky = { header = \"x-user-id\" }").await;
    let proxy = start_with_admin(&config).await;
    let admin_client = client();
    let users = users(600);

    let mut cohorts = Vec::new();
    for service_weight in [10, 20, 50, 100] {
        set_weights(
            &admin_client,
            &proxy,
            "checkout",
            &[
                ("monolith", 100 - service_weight),
                ("service", service_weight),
            ],
        )
        .await;
        let cohort = users_on_service(&proxy, &users).await;
        assert_binomial(cohort.len(), users.len(), f64::from(service_weight) / 100.0);
        cohorts.push(cohort);
    }
    let [at_10, at_20, at_50, at_100] = <[BTreeSet<String>; 4]>::try_from(cohorts).expect("four");
    assert!(
        at_10.is_subset(&at_20),
        "a user left the service from 10% to 20%"
    );
    assert!(
        at_20.is_subset(&at_50),
        "a user left the service from 20% to 50%"
    );
    assert_eq!(at_100.len(), users.len());

    let mut shrinking = Vec::new();
    for service_weight in [50, 20, 10] {
        set_weights(
            &admin_client,
            &proxy,
            "checkout",
            &[
                ("monolith", 100 - service_weight),
                ("service", service_weight),
            ],
        )
        .await;
        shrinking.push(users_on_service(&proxy, &users).await);
    }
    let [back_at_50, back_at_20, back_at_10] =
        <[BTreeSet<String>; 3]>::try_from(shrinking).expect("three");
    assert_eq!(
        back_at_50, at_50,
        "back at 50%, the same users are on the service"
    );
    // Shrinking 50 -> 20 moved back to the monolith exactly those who joined after 20%.
    let moved_back: BTreeSet<&String> = back_at_50.difference(&back_at_20).collect();
    let joined_after_20: BTreeSet<&String> = at_50.difference(&at_20).collect();
    assert_eq!(moved_back, joined_after_20);
    assert_eq!(back_at_20, at_20);
    assert_eq!(back_at_10, at_10);
    proxy.shutdown().await;
}

/// Sends `GET /checkout/pay` with `headers` to a route that sends everything to the monolith
/// and nothing to the dark-launched service (weight 0); asserts which upstream answered and
/// the `Cookie` lines it received (never an override).
async fn check_override(
    allow_override: bool,
    headers: &[(&str, &str)],
    expected_upstream: &str,
    expected_cookies: &[&str],
) {
    let (_monolith, _service, config) =
        split_fixture((1, 0), &format!("allow_override = {allow_override}")).await;
    let proxy = Proxy::start(&config).await;

    let reply = get(&client(), &proxy.url("/checkout/pay"), headers).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["upstream"], expected_upstream, "{headers:?}");
    assert_eq!(reply.echoed("x-ficus-target"), Vec::<String>::new());
    assert_eq!(reply.echoed("cookie"), expected_cookies);
    proxy.shutdown().await;
}

#[tokio::test]
async fn override_header_forces_a_dark_launched_target() {
    check_override(true, &[("x-ficus-target", "service")], "service", &[]).await;
}

#[tokio::test]
async fn override_cookie_forces_a_target_and_other_cookies_pass() {
    check_override(
        true,
        &[("cookie", "session=abc; ficus-target=service; theme=dark")],
        "service",
        &["session=abc; theme=dark"],
    )
    .await;
}

#[tokio::test]
async fn override_header_wins_over_the_cookie() {
    check_override(
        true,
        &[
            ("x-ficus-target", "monolith"),
            ("cookie", "ficus-target=service"),
        ],
        "monolith",
        &[],
    )
    .await;
}

#[tokio::test]
async fn override_naming_no_target_is_ignored() {
    check_override(true, &[("x-ficus-target", "billing")], "monolith", &[]).await;
}

#[tokio::test]
async fn override_is_ignored_and_still_stripped_without_allow_override() {
    check_override(false, &[("x-ficus-target", "service")], "monolith", &[]).await;
    check_override(
        false,
        &[("cookie", "ficus-target=service; session=abc")],
        "monolith",
        &["session=abc"],
    )
    .await;
}
