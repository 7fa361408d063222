//! `/api/inventory`: stock levels, counts, adjustments and the movement journal.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn reports_the_stock_of_a_product() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/inventory/1").await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({
            "product_id": 1,
            "sku": "COF-ETH-250",
            "on_hand": 40,
            "reserved": 0,
            "available": 40,
            "reorder_level": 10,
            "movements": []
        })
    );
    shop.get("/api/inventory/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/inventory/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn lists_low_stock_scarcest_first_without_retired_products() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/inventory/low-stock").await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!([
            {"product_id": 9, "sku": "CUP-ESP-2", "on_hand": 2, "reserved": 0, "available": 2, "reorder_level": 4},
            {"product_id": 6, "sku": "BRW-GRD-HND", "on_hand": 4, "reserved": 0, "available": 4, "reorder_level": 5}
        ]),
        "the discontinued decaf (0 on hand, reorder level 0) is not listed"
    );
}

#[tokio::test]
async fn reservations_count_against_low_stock() {
    let shop = Shop::start().await;
    // Gooseneck kettles: 6 on hand, reorder level 3. Reserving 3 leaves 3 available.
    shop.add_to_cart(3, 7, 3).await;
    shop.checkout(3).await;
    let kettle = shop.stock(7).await;
    assert_eq!(kettle["on_hand"], 6);
    assert_eq!(kettle["reserved"], 3);
    assert_eq!(kettle["available"], 3);

    let low = shop.get("/api/inventory/low-stock").await;
    assert_eq!(pluck(&low.body, "product_id"), [9, 7, 6]);
    assert_eq!(pluck(&low.body, "available"), [2, 3, 4]);
}

#[tokio::test]
async fn a_stock_count_sets_on_hand_and_is_journaled() {
    let shop = Shop::start().await;
    let reply = shop.put("/api/inventory/6", json!({"on_hand": 10})).await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({"product_id": 6, "sku": "BRW-GRD-HND", "on_hand": 10, "reserved": 0, "available": 10, "reorder_level": 5})
    );
    let report = shop.stock(6).await;
    assert_eq!(pluck(&report["movements"], "delta"), [6]);
    assert_eq!(pluck(&report["movements"], "reason"), ["stock count"]);

    let lowered = shop
        .put(
            "/api/inventory/9",
            json!({"on_hand": 1, "reorder_level": 0}),
        )
        .await;
    lowered.assert_status(200);
    assert_eq!(lowered.body["on_hand"], 1);
    assert_eq!(lowered.body["reorder_level"], 0);
    assert_eq!(shop.stock(9).await["movements"][0]["delta"], -1);

    let low = shop.get("/api/inventory/low-stock").await;
    assert_eq!(low.body, json!([]), "neither is low any more");
}

#[tokio::test]
async fn a_stock_count_creates_the_level_of_a_new_product() {
    let shop = Shop::start().await;
    let product = shop
        .post(
            "/api/products",
            json!({"sku": "TEA-ROO-100", "name": "Rooibos 100 g", "price_cents": 790, "category_id": 4}),
        )
        .await;
    product.assert_status(201);
    let id = id_of(&product.body);
    shop.get(&format!("/api/inventory/{id}"))
        .await
        .assert_error(404, "not_found");

    let reply = shop
        .put(&format!("/api/inventory/{id}"), json!({"on_hand": 7}))
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["sku"], "TEA-ROO-100");
    assert_eq!(reply.body["on_hand"], 7);
    assert_eq!(reply.body["reorder_level"], 5, "the default reorder level");
    assert_eq!(shop.stock(id).await["movements"][0]["delta"], 7);
}

#[tokio::test]
async fn rejects_bad_stock_counts() {
    let shop = Shop::start().await;
    shop.put("/api/inventory/1", json!({"on_hand": -1}))
        .await
        .assert_error(400, "bad_request");
    shop.put(
        "/api/inventory/1",
        json!({"on_hand": 5, "reorder_level": -1}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.put("/api/inventory/1", json!({"reorder_level": 1}))
        .await
        .assert_error(400, "bad_request");
    shop.put("/api/inventory/999", json!({"on_hand": 5}))
        .await
        .assert_error(404, "not_found");

    // Ada's checkout reserves 2 of product 1: a count cannot go below that.
    shop.checkout(1).await;
    shop.put("/api/inventory/1", json!({"on_hand": 1}))
        .await
        .assert_error(409, "conflict");
    let report = shop.stock(1).await;
    assert_eq!(report["on_hand"], 40);
    assert_eq!(report["reserved"], 2);
    assert!(
        !pluck(&report["movements"], "reason").contains(&json!("stock count")),
        "rejected counts are not journaled: {}",
        report["movements"]
    );

    let exact = shop.put("/api/inventory/1", json!({"on_hand": 2})).await;
    exact.assert_status(200);
    assert_eq!(exact.body["available"], 0);
}

#[tokio::test]
async fn adjustments_change_on_hand_and_are_journaled_newest_first() {
    let shop = Shop::start().await;
    let broken = shop
        .post(
            "/api/inventory/1/adjustments",
            json!({"delta": -5, "reason": "breakage"}),
        )
        .await;
    broken.assert_status(200);
    assert_eq!(broken.body["on_hand"], 35);
    assert_eq!(broken.body["available"], 35);

    let delivered = shop
        .post(
            "/api/inventory/1/adjustments",
            json!({"delta": 10, "reason": " delivery from roaster "}),
        )
        .await;
    delivered.assert_status(200);
    assert_eq!(delivered.body["on_hand"], 45);

    let report = shop.stock(1).await;
    assert_eq!(report["on_hand"], 45);
    assert_eq!(pluck(&report["movements"], "delta"), [10, -5]);
    assert_eq!(
        pluck(&report["movements"], "reason"),
        ["delivery from roaster", "breakage"]
    );
}

#[tokio::test]
async fn the_stock_report_shows_the_last_ten_movements() {
    let shop = Shop::start().await;
    for n in 1..=12 {
        shop.post(
            "/api/inventory/5/adjustments",
            json!({"delta": n, "reason": format!("delivery {n}")}),
        )
        .await
        .assert_status(200);
    }
    let report = shop.stock(5).await;
    assert_eq!(report["on_hand"], 120 + 78);
    let deltas = pluck(&report["movements"], "delta");
    assert_eq!(deltas, [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
}

#[tokio::test]
async fn rejects_bad_adjustments() {
    let shop = Shop::start().await;
    shop.post(
        "/api/inventory/1/adjustments",
        json!({"delta": 0, "reason": "nothing"}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post(
        "/api/inventory/1/adjustments",
        json!({"delta": 1, "reason": "  "}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/inventory/1/adjustments", json!({"delta": 1}))
        .await
        .assert_error(400, "bad_request");
    shop.post(
        "/api/inventory/999/adjustments",
        json!({"delta": 1, "reason": "found"}),
    )
    .await
    .assert_error(404, "not_found");
    shop.post(
        "/api/inventory/12/adjustments",
        json!({"delta": -1, "reason": "lost"}),
    )
    .await
    .assert_error(409, "conflict");

    // Kettles: 6 on hand, 3 reserved by Grace's order; only 3 may be written off.
    shop.add_to_cart(3, 7, 3).await;
    shop.checkout(3).await;
    shop.post(
        "/api/inventory/7/adjustments",
        json!({"delta": -4, "reason": "dented"}),
    )
    .await
    .assert_error(409, "conflict");
    let ok = shop
        .post(
            "/api/inventory/7/adjustments",
            json!({"delta": -3, "reason": "dented"}),
        )
        .await;
    ok.assert_status(200);
    assert_eq!(ok.body["on_hand"], 3);
    assert_eq!(ok.body["reserved"], 3);
    assert_eq!(ok.body["available"], 0);

    let report = shop.stock(7).await;
    let dented: Vec<_> = report["movements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|movement| movement["reason"] == "dented")
        .map(|movement| movement["delta"].clone())
        .collect();
    assert_eq!(dented, [-3], "only the accepted adjustment is journaled");
}
