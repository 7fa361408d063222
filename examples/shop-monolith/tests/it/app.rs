//! Health, unknown routes, malformed input, and the database surviving a restart.

use serde_json::json;

use crate::support::Shop;

#[tokio::test]
async fn healthz_answers_ok_with_seeded_products() {
    let shop = Shop::start().await;
    let reply = shop.get("/healthz").await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.body["products"], 12);
    shop.stop().await;
}

#[tokio::test]
async fn empty_database_has_schema_but_no_data() {
    let shop = Shop::start_empty().await;
    let reply = shop.get("/healthz").await;
    reply.assert_status(200);
    assert_eq!(reply.body["products"], 0);
    shop.get("/api/products").await.assert_status(200);
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let shop = Shop::start().await;
    shop.get("/api/nothing-here")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn malformed_path_parameter_is_a_json_400() {
    let shop = Shop::start().await;
    shop.get("/api/products/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn malformed_json_body_is_a_json_400() {
    let shop = Shop::start().await;
    let reply = shop
        .send(
            hyper::Method::POST,
            "/api/customers",
            Some("{\"email\":".to_string()),
        )
        .await;
    reply.assert_error(400, "bad_request");
}

#[tokio::test]
async fn bad_paging_is_rejected() {
    let shop = Shop::start().await;
    shop.get("/api/products?limit=0")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/customers?limit=1000")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/orders?offset=-1")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn data_survives_a_restart_and_is_not_seeded_twice() {
    let shop = Shop::start().await;
    let created = shop
        .post(
            "/api/customers",
            json!({"email": "kay@example.org", "name": "Kay"}),
        )
        .await;
    created.assert_status(201);
    let id = created.body["id"].as_i64().unwrap();

    let shop = shop.restart().await;
    shop.get(&format!("/api/customers/{id}"))
        .await
        .assert_status(200);
    let all = shop.get("/api/customers").await;
    assert_eq!(
        all.body.as_array().unwrap().len(),
        4,
        "three seeded customers plus Kay: {}",
        all.body
    );
    shop.stop().await;
}
