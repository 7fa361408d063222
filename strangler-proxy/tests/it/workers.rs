//! Worker threads: with two, each has its own listener on the proxy's port and the kernel
//! spreads new connections across them. Both serve (with upstream connections of their own),
//! a reload reaches both, and shutdown waits for both.

use http::Method;

use crate::metrics::scrape;
use crate::support::{
    ADMIN_SECTION, ADMIN_TOKEN, ADMIN_TOKEN_FILE, Proxy, Upstream, admin, client,
    config_with_upstreams, get, within,
};

const CONNECTIONS: usize = 64;

/// `CONNECTIONS` requests, each on a connection of its own: the upstream that answered each.
async fn answers_on_new_connections(proxy: &Proxy) -> Vec<String> {
    let mut answers = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        // A client per request: its pool is empty, so it opens a new connection.
        let reply = get(&client(), &proxy.url("/orders/7"), &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        answers.push(reply.text());
    }
    answers
}

/// Connections accepted so far, by worker index.
async fn accepted_by_worker(proxy: &Proxy) -> [f64; 2] {
    let samples = scrape(proxy, "ficus_proxy_accepted_connections_total").await;
    let mut by_worker = [0.0; 2];
    for (series, value) in samples {
        match series.as_str() {
            r#"ficus_proxy_accepted_connections_total{worker="0"}"# => by_worker[0] = value,
            r#"ficus_proxy_accepted_connections_total{worker="1"}"# => by_worker[1] = value,
            other => panic!("a worker this proxy does not have: {other}"),
        }
    }
    by_worker
}

#[tokio::test]
async fn two_workers_share_the_port_and_both_serve_and_reload() {
    let monolith = Upstream::named("monolith").await;
    let orders = Upstream::named("orders").await;
    let upstreams = config_with_upstreams(&[("monolith", monolith.addr), ("orders", orders.addr)]);
    let route = |upstream: &str| {
        format!(
            "\n[[route]]\nname = \"orders\"\npath = \"/orders/**\"\ntargets = [{{ upstream = \"{upstream}\" }}]\n"
        )
    };
    let folder = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        folder.path().join(ADMIN_TOKEN_FILE),
        format!("{ADMIN_TOKEN}\n"),
    )
    .expect("token file");
    let proxy = Proxy::start_workers_in_folder(
        folder,
        &format!("{upstreams}{}{ADMIN_SECTION}", route("orders")),
        2,
    )
    .await;

    // Every connection is answered, whichever listener the kernel gave it to, and both got
    // some: 64 connections all hashed to one of two listeners would be a 1 in 2^63 chance.
    let answers = answers_on_new_connections(&proxy).await;
    assert!(
        answers.iter().all(|answer| answer == "orders"),
        "{answers:?}"
    );
    let before = accepted_by_worker(&proxy).await;
    assert_eq!(before[0] + before[1], CONNECTIONS as f64, "{before:?}");
    assert!(before[0] > 0.0 && before[1] > 0.0, "{before:?}");

    // A reload swaps the table both workers read.
    std::fs::write(
        proxy.file("proxy.toml"),
        format!("{upstreams}{}{ADMIN_SECTION}", route("monolith")),
    )
    .expect("write the new config");
    let reply = admin(
        &client(),
        &proxy,
        Method::POST,
        "/reload",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answers = answers_on_new_connections(&proxy).await;
    assert!(
        answers.iter().all(|answer| answer == "monolith"),
        "{answers:?}"
    );
    let after = accepted_by_worker(&proxy).await;
    assert!(
        after[0] > before[0] && after[1] > before[1],
        "{before:?} then {after:?}"
    );

    // Shutdown returns once both workers have stopped; the port is then closed.
    let addr = proxy.addr;
    within(proxy.shutdown()).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// `max_connections` counts the connections of both workers, and a worker waiting for a
/// connection holds no share of it: with a limit of one, every connection in turn is served,
/// whichever listener the kernel gives it to.
#[tokio::test]
async fn the_connection_limit_is_shared_and_idle_workers_hold_none_of_it() {
    let orders = Upstream::named("orders").await;
    let config = format!(
        "{}\n[limits]\nmax_connections = 1\n",
        config_with_upstreams(&[("orders", orders.addr)])
    );
    let folder = tempfile::tempdir().expect("temporary folder");
    let proxy = Proxy::start_workers_in_folder(folder, &config, 2).await;
    for _ in 0..16 {
        // The client, and with it its connection, is dropped after each request.
        let reply = get(&client(), &proxy.url("/orders/7"), &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    within(proxy.shutdown()).await;
}

/// Listeners with `SO_REUSEPORT` could join another process's listeners on the same port and
/// take a share of its connections; a second proxy on a taken port must fail instead, naming
/// the address, whatever its number of workers.
#[tokio::test]
async fn a_port_already_served_is_refused_not_shared() {
    let orders = Upstream::named("orders").await;
    let config = config_with_upstreams(&[("orders", orders.addr)]);
    let first = Proxy::start_workers_in_folder(tempfile::tempdir().unwrap(), &config, 2).await;
    let folder = tempfile::tempdir().unwrap();
    let config_path = folder.path().join("proxy.toml");
    std::fs::write(&config_path, &config).unwrap();
    for workers in [1, 2] {
        let started = ficus_proxy::launch::start(ficus_proxy::launch::Options {
            config_path: config_path.clone(),
            listen: Some(first.addr),
            workers,
        })
        .await;
        let Err(error) = started else {
            panic!(
                "a second proxy with {workers} workers started on {}",
                first.addr
            );
        };
        assert!(
            error.to_string().contains(&first.addr.to_string()),
            "{error}"
        );
    }
    // The first one still answers.
    let reply = get(&client(), &first.url("/"), &[]).await;
    assert_eq!(reply.status, 200);
    within(first.shutdown()).await;
}
