//! Metrics tests: each records a known sequence through the public API and asserts exact lines
//! of the encoded OpenMetrics text. `check` is the only place that encodes; series order within
//! a family is not stable, so it looks for whole lines rather than comparing the full text.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::{CONTENT_TYPE, Metrics, status_class_index};

/// Runs `record` on a fresh registry, then asserts that every `expected` line appears, whole,
/// in the encoded text, and that no `absent` prefix starts a line.
fn check(record: impl FnOnce(&Metrics), expected: &[&str], absent: &[&str]) {
    let metrics = Metrics::new();
    record(&metrics);
    let text = metrics.encode();
    let lines: Vec<&str> = text.lines().collect();
    for line in expected {
        assert!(
            lines.contains(line),
            "missing line\n  {line}\nin encoded text:\n{text}"
        );
    }
    for prefix in absent {
        assert!(
            !lines.iter().any(|line| line.starts_with(prefix)),
            "unexpected line starting with\n  {prefix}\nin encoded text:\n{text}"
        );
    }
}

fn millis(n_millis: u64) -> Duration {
    Duration::from_millis(n_millis)
}

#[test]
fn responses_are_counted_per_status_class() {
    check(
        |metrics| {
            let orders = metrics.route("orders");
            let svc = orders.target("orders-svc");
            for status in [200, 201, 204, 301, 404, 500, 503, 101] {
                svc.record_response(status, millis(1));
            }
        },
        &[
            r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="1xx"} 1"#,
            r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="2xx"} 3"#,
            r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="3xx"} 1"#,
            r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="4xx"} 1"#,
            r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="5xx"} 2"#,
        ],
        &[r#"ficus_proxy_requests_total{route="orders",target="orders-svc",class="other"}"#],
    );
}

#[test]
fn proxy_answered_responses_have_target_none() {
    check(
        |metrics| {
            metrics
                .route("orders")
                .proxy_answered()
                .record_response(502, millis(2));
            metrics.record_response("orders", None, 504, millis(30_000));
            metrics.record_response("orders", Some("monolith"), 200, millis(5));
        },
        &[
            r#"ficus_proxy_requests_total{route="orders",target="none",class="5xx"} 2"#,
            r#"ficus_proxy_requests_total{route="orders",target="monolith",class="2xx"} 1"#,
            r#"ficus_proxy_request_duration_seconds_count{route="orders",target="none"} 2"#,
            r#"ficus_proxy_request_duration_seconds_sum{route="orders",target="none"} 30.002"#,
        ],
        &[r#"ficus_proxy_requests_total{route="orders",target="monolith",class="5xx"}"#],
    );
}

#[test]
fn duration_histogram_has_count_sum_and_cumulative_buckets() {
    // Durations exact in binary, so the sum prints exactly.
    check(
        |metrics| {
            let svc = metrics.route("orders").target("svc");
            svc.record_response(200, Duration::ZERO);
            svc.record_response(200, millis(250));
            svc.record_response(200, millis(500));
            svc.record_response(200, Duration::from_secs(60));
        },
        &[
            r#"ficus_proxy_request_duration_seconds_count{route="orders",target="svc"} 4"#,
            r#"ficus_proxy_request_duration_seconds_sum{route="orders",target="svc"} 60.75"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="0.0005",route="orders",target="svc"} 1"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="0.1",route="orders",target="svc"} 1"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="0.25",route="orders",target="svc"} 2"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="0.5",route="orders",target="svc"} 3"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="30.0",route="orders",target="svc"} 3"#,
            r#"ficus_proxy_request_duration_seconds_bucket{le="+Inf",route="orders",target="svc"} 4"#,
            "# UNIT ficus_proxy_request_duration_seconds seconds",
            "# TYPE ficus_proxy_request_duration_seconds histogram",
        ],
        &[],
    );
}

#[test]
fn retries_fallbacks_and_upstream_errors() {
    check(
        |metrics| {
            let orders = metrics.route("orders");
            let svc = orders.target("svc");
            let monolith = orders.target("monolith");
            svc.record_retry();
            svc.record_retry();
            metrics.record_retry("orders", "monolith");
            svc.record_fallback_to(&monolith);
            metrics.record_fallback("orders", "svc", "monolith");
            svc.record_upstream_error("connect");
            svc.record_upstream_error("timeout");
            metrics.record_upstream_error("orders", "svc", "timeout");
            monolith.record_upstream_error("reset");
        },
        &[
            r#"ficus_proxy_retries_total{route="orders",target="svc"} 2"#,
            r#"ficus_proxy_retries_total{route="orders",target="monolith"} 1"#,
            r#"ficus_proxy_fallbacks_total{route="orders",from="svc",to="monolith"} 2"#,
            r#"ficus_proxy_upstream_errors_total{route="orders",target="svc",kind="connect"} 1"#,
            r#"ficus_proxy_upstream_errors_total{route="orders",target="svc",kind="timeout"} 2"#,
            r#"ficus_proxy_upstream_errors_total{route="orders",target="monolith",kind="reset"} 1"#,
        ],
        &[r#"ficus_proxy_requests_total"#],
    );
}

#[test]
fn handles_from_separate_calls_share_series_across_reloads() {
    // A reload builds new handles from the same names; they must add to the same series.
    check(
        |metrics| {
            let before_reload = metrics.route("orders").target("svc");
            before_reload.record_response(200, millis(1));
            before_reload.record_retry();
            metrics.record_reload(true);
            let after_reload = metrics.route("orders").target("svc");
            after_reload.record_response(200, millis(1));
            after_reload.record_retry();
            // The old handle may still be in flight on a draining connection.
            before_reload.record_response(200, millis(1));
        },
        &[
            r#"ficus_proxy_requests_total{route="orders",target="svc",class="2xx"} 3"#,
            r#"ficus_proxy_retries_total{route="orders",target="svc"} 2"#,
            r#"ficus_proxy_request_duration_seconds_count{route="orders",target="svc"} 3"#,
        ],
        &[],
    );
}

#[test]
fn active_connections_follow_guards() {
    check(
        |metrics| {
            let first = metrics.connection_opened();
            let second = metrics.connection_opened();
            let third = metrics.connection_opened();
            drop(second);
            drop(first);
            // Still open when `check` encodes: leak the guard rather than drop it.
            std::mem::forget(third);
        },
        &["ficus_proxy_active_connections 1"],
        &[],
    );
    check(
        |metrics| {
            let guard = metrics.connection_opened();
            drop(guard);
        },
        &["ficus_proxy_active_connections 0"],
        &[],
    );
}

#[test]
fn reloads_count_ok_and_rejected_and_both_start_at_zero() {
    check(
        |_metrics| {},
        &[
            r#"ficus_proxy_config_reloads_total{result="ok"} 0"#,
            r#"ficus_proxy_config_reloads_total{result="rejected"} 0"#,
            "ficus_proxy_active_connections 0",
        ],
        &[],
    );
    check(
        |metrics| {
            metrics.record_reload(true);
            metrics.record_reload(false);
            metrics.record_reload(true);
            metrics.record_reload(true);
        },
        &[
            r#"ficus_proxy_config_reloads_total{result="ok"} 3"#,
            r#"ficus_proxy_config_reloads_total{result="rejected"} 1"#,
        ],
        &[],
    );
}

#[test]
fn ejections_are_counted_per_upstream_and_address() {
    check(
        |metrics| {
            metrics.record_ejection("svc", "10.0.0.7:8080");
            metrics.record_ejection("svc", "10.0.0.7:8080");
            metrics.record_ejection("svc", "[::1]:8080");
        },
        &[
            r#"ficus_proxy_ejections_total{upstream="svc",address="10.0.0.7:8080"} 2"#,
            r#"ficus_proxy_ejections_total{upstream="svc",address="[::1]:8080"} 1"#,
        ],
        &[],
    );
}

#[test]
fn odd_route_names_are_escaped() {
    check(
        |metrics| {
            let odd = metrics.route("say \"hi\"\\there\nnext {x}, y=z");
            odd.target("svc").record_response(200, millis(1));
            metrics.record_response("é/ünï", Some("svc"), 404, millis(1));
        },
        &[
            r#"ficus_proxy_requests_total{route="say \"hi\"\\there\nnext {x}, y=z",target="svc",class="2xx"} 1"#,
            r#"ficus_proxy_requests_total{route="é/ünï",target="svc",class="4xx"} 1"#,
        ],
        &[],
    );
}

#[test]
fn status_classes_outside_100_to_599_are_other() {
    assert_eq!(status_class_index(99), 5);
    assert_eq!(status_class_index(100), 0);
    assert_eq!(status_class_index(599), 4);
    assert_eq!(status_class_index(600), 5);
    assert_eq!(status_class_index(999), 5);
    check(
        |metrics| metrics.record_response("r", Some("t"), 999, millis(1)),
        &[r#"ficus_proxy_requests_total{route="r",target="t",class="other"} 1"#],
        &[],
    );
}

#[test]
fn records_from_many_threads_all_count() {
    let metrics = Arc::new(Metrics::new());
    let handle = metrics.route("orders").target("svc");
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let handle = handle.clone();
            let metrics = Arc::clone(&metrics);
            thread::spawn(move || {
                let _connection = metrics.connection_opened();
                for _ in 0..250 {
                    handle.record_response(200, millis(1));
                }
            })
        })
        .collect();
    for worker in workers {
        // A worker only panics if a record call panicked, which is itself the failure to report.
        worker.join().expect("worker thread panicked");
    }
    let text = metrics.encode();
    assert!(text.contains(
        "ficus_proxy_requests_total{route=\"orders\",target=\"svc\",class=\"2xx\"} 1000\n"
    ));
    assert!(text.contains("ficus_proxy_active_connections 0\n"));
}

#[test]
fn metrics_and_handles_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Metrics>();
    assert_send_sync::<super::RouteMetrics>();
    assert_send_sync::<super::TargetMetrics>();
    assert_send_sync::<super::ConnectionGuard>();
}

#[test]
fn content_type_is_openmetrics_text() {
    assert!(CONTENT_TYPE.starts_with("application/openmetrics-text; version=1.0.0"));
}

#[test]
fn output_parses_as_openmetrics_lines() {
    let metrics = Metrics::new();
    let orders = metrics.route("odd \"route\"\\ {with} spaces,\nand=newline");
    let svc = orders.target("svc");
    svc.record_response(200, millis(3));
    svc.record_retry();
    svc.record_upstream_error("protocol");
    svc.record_fallback_to(orders.proxy_answered());
    orders.proxy_answered().record_response(503, millis(1));
    let _connection = metrics.connection_opened();
    metrics.record_reload(false);
    metrics.record_ejection("svc", "127.0.0.1:9");
    let text = metrics.encode();

    assert!(text.ends_with("# EOF\n"), "no final `# EOF` line:\n{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.iter().filter(|line| **line == "# EOF").count(), 1);
    let mut n_samples = 0;
    for line in &lines[..lines.len() - 1] {
        if let Some(comment) = line.strip_prefix("# ") {
            let keyword = comment.split(' ').next().unwrap_or_default();
            assert!(
                ["HELP", "TYPE", "UNIT"].contains(&keyword),
                "unknown comment line: {line}"
            );
            continue;
        }
        if let Err(reason) = parse_sample(line) {
            panic!("{reason} in sample line: {line}\nin encoded text:\n{text}");
        }
        n_samples += 1;
    }
    // requests x2, duration (sum, count, 16 buckets) x2, retries, errors, fallbacks, gauge,
    // reloads x2, ejections.
    assert_eq!(n_samples, 2 + 2 * 18 + 1 + 1 + 1 + 1 + 2 + 1);
}

/// Checks one sample line, `name value` or `name{key="value",...} value`, with the label value
/// escapes OpenMetrics allows (`\\`, `\"`, `\n`) and no raw newline or quote inside a value.
fn parse_sample(line: &str) -> Result<(), String> {
    let name_end = line.find(['{', ' ']).ok_or("no space before the value")?;
    let name = &line[..name_end];
    let name_is_valid = name.starts_with(|first: char| first.is_ascii_alphabetic() || first == '_')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':');
    if !name_is_valid || !name.starts_with("ficus_proxy_") {
        return Err(format!("bad metric name {name:?}"));
    }
    let mut rest = &line[name_end..];
    if let Some(labels) = rest.strip_prefix('{') {
        rest = parse_labels(labels)?;
    }
    let value = rest.strip_prefix(' ').ok_or("no space before the value")?;
    value
        .parse::<f64>()
        .map_err(|error| format!("value {value:?} is not a number: {error}"))?;
    Ok(())
}

/// Parses `key="value",...}` and returns what follows the closing brace.
fn parse_labels(mut rest: &str) -> Result<&str, String> {
    loop {
        let key_end = rest.find('=').ok_or("label without `=`")?;
        let key = &rest[..key_end];
        if key.is_empty()
            || !key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        {
            return Err(format!("bad label name {key:?}"));
        }
        rest = rest[key_end + 1..]
            .strip_prefix('"')
            .ok_or("label value not quoted")?;
        let mut chars = rest.char_indices();
        let value_end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\' | '"' | 'n')) => {}
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some((idx, '"')) => break idx,
                Some(_) => {}
                None => return Err("unterminated label value".to_owned()),
            }
        };
        rest = &rest[value_end + 1..];
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else {
            return rest
                .strip_prefix('}')
                .ok_or_else(|| "label set not closed".to_owned());
        }
    }
}
