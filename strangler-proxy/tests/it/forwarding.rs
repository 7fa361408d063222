//! Forwarding basics: the route decides the upstream, and the request arrives with forwarding
//! headers set and hop-by-hop headers removed.

use crate::support::{Proxy, Upstream, client, config_with_upstreams, get};

#[tokio::test]
async fn routes_to_the_service_and_defaults_to_the_monolith() {
    let monolith = Upstream::echo("monolith").await;
    let billing = Upstream::echo("billing").await;
    let mut config =
        config_with_upstreams(&[("monolith", monolith.addr), ("billing", billing.addr)]);
    config.push_str(
        "\n[[route]]\nname = \"invoices\"\npath = \"/api/invoices/**\"\ntargets = [{ upstream = \"billing\" }]\n",
    );
    let proxy = Proxy::start(&config).await;
    let client = client();

    let reply = get(&client, &proxy.url("/api/invoices/7?x=1"), &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["upstream"], "billing");
    assert_eq!(reply.json()["path"], "/api/invoices/7?x=1");

    let reply = get(&client, &proxy.url("/api/orders/1"), &[]).await;
    assert_eq!(reply.json()["upstream"], "monolith");
    proxy.shutdown().await;
}
