//! `/api/carts/{customer_id}`: one open cart per customer, priced at today's catalog prices.

use serde_json::json;

use crate::support::{Shop, pluck};

#[tokio::test]
async fn gets_the_seeded_cart_with_totals() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/carts/1").await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({
            "customer_id": 1,
            "items": [
                {
                    "product_id": 1,
                    "sku": "COF-ETH-250",
                    "name": "Ethiopia Yirgacheffe 250 g",
                    "quantity": 2,
                    "unit_price_cents": 1290,
                    "line_total_cents": 2580,
                    "available": true
                },
                {
                    "product_id": 5,
                    "sku": "BRW-FIL-100",
                    "name": "Paper filters (100)",
                    "quantity": 1,
                    "unit_price_cents": 590,
                    "line_total_cents": 590,
                    "available": true
                }
            ],
            "item_count": 3,
            "subtotal_cents": 3170,
            "subtotal": "31.70"
        })
    );
}

#[tokio::test]
async fn a_customer_without_a_cart_has_an_empty_one_and_unknown_customers_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/carts/3").await;
    reply.assert_status(200);
    assert_eq!(reply.body["customer_id"], 3);
    assert_eq!(reply.body["items"], json!([]));
    assert_eq!(reply.body["item_count"], 0);
    assert_eq!(reply.body["subtotal_cents"], 0);
    assert_eq!(reply.body["subtotal"], "0.00");

    shop.get("/api/carts/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/carts/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn adds_items_and_merges_repeated_products() {
    let shop = Shop::start().await;
    let first = shop
        .post("/api/carts/3/items", json!({"product_id": 8}))
        .await;
    first.assert_status(200);
    assert_eq!(
        first.body["items"][0]["quantity"], 1,
        "quantity defaults to 1"
    );
    assert_eq!(first.body["subtotal_cents"], 1490);

    let second = shop
        .post(
            "/api/carts/3/items",
            json!({"product_id": 4, "quantity": 2}),
        )
        .await;
    second.assert_status(200);
    let merged = shop
        .post(
            "/api/carts/3/items",
            json!({"product_id": 8, "quantity": 3}),
        )
        .await;
    merged.assert_status(200);
    assert_eq!(
        pluck(&merged.body["items"], "product_id"),
        [4, 8],
        "by product id"
    );
    assert_eq!(pluck(&merged.body["items"], "quantity"), [2, 4]);
    assert_eq!(
        pluck(&merged.body["items"], "line_total_cents"),
        [5180, 5960]
    );
    assert_eq!(merged.body["item_count"], 6);
    assert_eq!(merged.body["subtotal_cents"], 11140);
    assert_eq!(merged.body["subtotal"], "111.40");

    let fetched = shop.get("/api/carts/3").await;
    assert_eq!(fetched.body, merged.body, "the cart was stored");
}

#[tokio::test]
async fn rejects_bad_additions() {
    let shop = Shop::start().await;
    for quantity in [0, -1, 1000] {
        shop.post(
            "/api/carts/1/items",
            json!({"product_id": 2, "quantity": quantity}),
        )
        .await
        .assert_error(400, "bad_request");
    }
    shop.post(
        "/api/carts/1/items",
        json!({"product_id": 1, "quantity": 998}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/carts/1/items", json!({"product_id": 999}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/carts/1/items", json!({"product_id": 12}))
        .await
        .assert_error(409, "conflict");
    shop.post("/api/carts/999/items", json!({"product_id": 1}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/carts/1/items", json!({"quantity": 1}))
        .await
        .assert_error(400, "bad_request");

    let cart = shop.get("/api/carts/1").await;
    assert_eq!(pluck(&cart.body["items"], "quantity"), [2, 1], "unchanged");

    // Right up to the limit is fine.
    let full = shop
        .post(
            "/api/carts/1/items",
            json!({"product_id": 1, "quantity": 997}),
        )
        .await;
    full.assert_status(200);
    assert_eq!(full.body["items"][0]["quantity"], 999);
}

#[tokio::test]
async fn sets_the_quantity_of_a_line() {
    let shop = Shop::start().await;
    let reply = shop
        .put("/api/carts/1/items/1", json!({"quantity": 5}))
        .await;
    reply.assert_status(200);
    assert_eq!(pluck(&reply.body["items"], "quantity"), [5, 1]);
    assert_eq!(reply.body["items"][0]["line_total_cents"], 6450);
    assert_eq!(reply.body["item_count"], 6);
    assert_eq!(reply.body["subtotal_cents"], 7040);

    shop.put("/api/carts/1/items/1", json!({"quantity": 0}))
        .await
        .assert_error(400, "bad_request");
    shop.put("/api/carts/1/items/1", json!({"quantity": 1000}))
        .await
        .assert_error(400, "bad_request");
    shop.put("/api/carts/1/items/2", json!({"quantity": 1}))
        .await
        .assert_error(404, "not_found");
    shop.put("/api/carts/3/items/1", json!({"quantity": 1}))
        .await
        .assert_error(404, "not_found");
    shop.put("/api/carts/999/items/1", json!({"quantity": 1}))
        .await
        .assert_error(404, "not_found");

    assert_eq!(shop.get("/api/carts/1").await.body["subtotal_cents"], 7040);
}

#[tokio::test]
async fn removes_a_line() {
    let shop = Shop::start().await;
    let reply = shop.delete("/api/carts/1/items/1").await;
    reply.assert_status(200);
    assert_eq!(pluck(&reply.body["items"], "product_id"), [5]);
    assert_eq!(reply.body["item_count"], 1);
    assert_eq!(reply.body["subtotal_cents"], 590);

    shop.delete("/api/carts/1/items/1")
        .await
        .assert_error(404, "not_found");
    shop.delete("/api/carts/3/items/5")
        .await
        .assert_error(404, "not_found");
    shop.delete("/api/carts/999/items/5")
        .await
        .assert_error(404, "not_found");

    let last = shop.delete("/api/carts/1/items/5").await;
    last.assert_status(200);
    assert_eq!(last.body["items"], json!([]));
    assert_eq!(last.body["subtotal_cents"], 0);
}

#[tokio::test]
async fn clears_a_cart() {
    let shop = Shop::start().await;
    let reply = shop.delete("/api/carts/1").await;
    reply.assert_status(204);
    assert_eq!(reply.body, serde_json::Value::Null);
    let cart = shop.get("/api/carts/1").await;
    assert_eq!(cart.body["items"], json!([]));
    assert_eq!(cart.body["item_count"], 0);

    // Clearing an empty or never-opened cart is fine; an unknown customer is not.
    shop.delete("/api/carts/1").await.assert_status(204);
    shop.delete("/api/carts/3").await.assert_status(204);
    shop.delete("/api/carts/999")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn lines_follow_catalog_prices_and_flag_retired_products() {
    let shop = Shop::start().await;
    shop.put("/api/products/1", json!({"price_cents": 1500}))
        .await
        .assert_status(200);
    shop.delete("/api/products/5").await.assert_status(204);

    let cart = shop.get("/api/carts/1").await;
    cart.assert_status(200);
    assert_eq!(cart.body["items"][0]["unit_price_cents"], 1500);
    assert_eq!(cart.body["items"][0]["line_total_cents"], 3000);
    assert_eq!(pluck(&cart.body["items"], "available"), [true, false]);
    assert_eq!(cart.body["subtotal_cents"], 3590);

    shop.post("/api/carts/1/items", json!({"product_id": 5}))
        .await
        .assert_error(409, "conflict");
}
