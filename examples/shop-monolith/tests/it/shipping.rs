//! `/api/shipping/rates` and `/api/shipments`: quotes, shipments of paid orders, dispatch and
//! delivery.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn quotes_shipping_rates() {
    let shop = Shop::start().await;
    let reply = shop
        .get("/api/shipping/rates?subtotal_cents=5000&country=de")
        .await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({"country": "DE", "service_level": "standard", "cost_cents": 490, "cost": "4.90"})
    );

    for (query, cents, cost) in [
        ("subtotal_cents=9999&country=DE", 490, "4.90"),
        ("subtotal_cents=10000&country=DE", 0, "0.00"),
        (
            "subtotal_cents=10000&country=DE&service_level=express",
            990,
            "9.90",
        ),
        ("subtotal_cents=10000&country=FR", 1490, "14.90"),
        (
            "subtotal_cents=0&country=us&service_level=express",
            1990,
            "19.90",
        ),
    ] {
        let reply = shop.get(&format!("/api/shipping/rates?{query}")).await;
        reply.assert_status(200);
        assert_eq!(reply.body["cost_cents"], cents, "{query}");
        assert_eq!(reply.body["cost"], cost, "{query}");
    }
}

#[tokio::test]
async fn rejects_bad_rate_queries() {
    let shop = Shop::start().await;
    for query in [
        "subtotal_cents=100&country=DEU",
        "subtotal_cents=100&country=D1",
        "subtotal_cents=100&country=DE&service_level=overnight",
        "subtotal_cents=-1&country=DE",
        "subtotal_cents=abc&country=DE",
        "country=DE",
        "subtotal_cents=100",
    ] {
        shop.get(&format!("/api/shipping/rates?{query}"))
            .await
            .assert_error(400, "bad_request");
    }
}

#[tokio::test]
async fn gets_a_shipment_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/shipments/1").await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({
            "id": 1,
            "order_id": 1,
            "address_id": 2,
            "carrier": "dhl",
            "service_level": "standard",
            "cost_cents": 490,
            "tracking_number": "DHL-SEED-0001",
            "status": "delivered",
            "dispatched_at": "2026-01-05 10:00:00",
            "delivered_at": "2026-01-07 14:30:00"
        })
    );
    shop.get("/api/shipments/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/shipments/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn creates_a_shipment_for_a_paid_order() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    shop.pay(order_id).await;

    let reply = shop
        .post(
            "/api/shipments",
            json!({"order_id": order_id, "carrier": " UPS ", "service_level": "express"}),
        )
        .await;
    reply.assert_status(201);
    let shipment = &reply.body;
    assert_eq!(shipment["order_id"], order_id);
    assert_eq!(shipment["address_id"], 1);
    assert_eq!(shipment["carrier"], "ups");
    assert_eq!(shipment["service_level"], "express");
    assert_eq!(shipment["cost_cents"], 1990, "express abroad");
    assert_eq!(shipment["status"], "created");
    assert_eq!(shipment["tracking_number"], serde_json::Value::Null);
    assert_eq!(shipment["dispatched_at"], serde_json::Value::Null);
    assert_eq!(shipment["delivered_at"], serde_json::Value::Null);

    let fetched = shop
        .get(&format!("/api/shipments/{}", id_of(shipment)))
        .await;
    assert_eq!(&fetched.body, shipment);
    assert_eq!(
        shop.order_status(order_id).await,
        "paid",
        "a shipment that has not left changes nothing"
    );
    assert_eq!(shop.stock(1).await["reserved"], 2);
}

#[tokio::test]
async fn shipment_cost_follows_the_order_subtotal_and_country() {
    let shop = Shop::start().await;
    // Alan at home, 138.90 of goods: free standard shipping.
    shop.add_to_cart(2, 6, 1).await;
    shop.add_to_cart(2, 7, 1).await;
    let order = shop.checkout(2).await;
    shop.pay(id_of(&order)).await;
    let shipment = shop.ship(id_of(&order)).await;
    assert_eq!(shipment["address_id"], 2);
    assert_eq!(shipment["cost_cents"], 0);
}

#[tokio::test]
async fn only_paid_orders_ship_and_only_once() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);

    // Shipping an unpaid order.
    shop.post(
        "/api/shipments",
        json!({"order_id": order_id, "carrier": "dhl"}),
    )
    .await
    .assert_error(409, "conflict");
    // Delivered already.
    shop.post("/api/shipments", json!({"order_id": 1, "carrier": "dhl"}))
        .await
        .assert_error(409, "conflict");
    shop.post("/api/shipments", json!({"order_id": 999, "carrier": "dhl"}))
        .await
        .assert_error(404, "not_found");

    shop.pay(order_id).await;
    shop.post(
        "/api/shipments",
        json!({"order_id": order_id, "carrier": "fedex"}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post(
        "/api/shipments",
        json!({"order_id": order_id, "carrier": "dhl", "service_level": "overnight"}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/shipments", json!({"order_id": order_id}))
        .await
        .assert_error(400, "bad_request");

    let first = shop.ship(order_id).await;
    assert_eq!(
        first["id"], 2,
        "no shipment was stored by the failed attempts"
    );
    shop.post(
        "/api/shipments",
        json!({"order_id": order_id, "carrier": "dpd"}),
    )
    .await
    .assert_error(409, "conflict");
}

#[tokio::test]
async fn dispatch_takes_stock_out_and_marks_the_order_shipped() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    shop.pay(order_id).await;
    let shipment = shop.ship(order_id).await;
    let id = id_of(&shipment);

    let reply = shop
        .post_empty(&format!("/api/shipments/{id}/dispatch"))
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "in_transit");
    assert!(reply.body["dispatched_at"].is_string(), "{}", reply.body);
    assert_eq!(reply.body["delivered_at"], serde_json::Value::Null);
    let tracking = reply.body["tracking_number"].as_str().unwrap().to_string();
    assert!(tracking.starts_with("DHL-"), "{tracking}");

    assert_eq!(shop.order_status(order_id).await, "shipped");
    let coffee = shop.stock(1).await;
    assert_eq!(coffee["on_hand"], 38);
    assert_eq!(coffee["reserved"], 0);
    assert_eq!(coffee["movements"][0]["delta"], -2);
    let filters = shop.stock(5).await;
    assert_eq!(filters["on_hand"], 119);
    assert_eq!(filters["reserved"], 0);

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(notes.body[0]["kind"], "order_shipped");
    assert_eq!(notes.body[0]["subject"], format!("Order #{order_id}"));
    assert_eq!(
        notes.body[0]["body"],
        format!("Your parcel is on its way: {tracking}")
    );

    // Dispatching twice would take the stock out twice.
    shop.post_empty(&format!("/api/shipments/{id}/dispatch"))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.stock(1).await["on_hand"], 38);
    assert_eq!(
        shop.get(&format!("/api/shipments/{id}")).await.body["tracking_number"],
        tracking.as_str()
    );

    shop.post_empty("/api/shipments/999/dispatch")
        .await
        .assert_error(404, "not_found");
    shop.post_empty("/api/shipments/1/dispatch")
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn delivery_completes_the_order() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    shop.pay(order_id).await;
    let shipment = shop.ship(order_id).await;
    let id = id_of(&shipment);

    // Not yet on its way.
    shop.post_empty(&format!("/api/shipments/{id}/deliver"))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.order_status(order_id).await, "paid");

    shop.post_empty(&format!("/api/shipments/{id}/dispatch"))
        .await
        .assert_status(200);
    let reply = shop
        .post_empty(&format!("/api/shipments/{id}/deliver"))
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "delivered");
    assert!(reply.body["delivered_at"].is_string(), "{}", reply.body);
    assert!(reply.body["dispatched_at"].is_string(), "{}", reply.body);
    assert_eq!(shop.order_status(order_id).await, "delivered");
    assert_eq!(
        shop.stock(1).await["on_hand"],
        38,
        "delivery does not move stock again"
    );

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(
        pluck(&notes.body, "kind")[..2],
        ["order_delivered", "order_shipped"]
    );
    assert_eq!(notes.body[0]["body"], "Your parcel was delivered.");

    shop.post_empty(&format!("/api/shipments/{id}/deliver"))
        .await
        .assert_error(409, "conflict");
    shop.post_empty("/api/shipments/999/deliver")
        .await
        .assert_error(404, "not_found");
    shop.post_empty("/api/shipments/1/deliver")
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn the_shipment_of_a_cancelled_order_cannot_be_dispatched() {
    let shop = Shop::start().await;
    // Ada buys two bags of coffee, pays, and a shipment is prepared.
    shop.delete("/api/carts/1/items/5").await.assert_status(200);
    let ada = shop.checkout(1).await;
    let ada_order = id_of(&ada);
    shop.pay(ada_order).await;
    let shipment = shop.ship(ada_order).await;
    // Grace orders the same coffee and is waiting for payment.
    shop.add_to_cart(3, 1, 2).await;
    shop.checkout(3).await;
    assert_eq!(shop.stock(1).await["reserved"], 4);

    // Ada cancels before the parcel leaves: refunded, her two bags are released.
    shop.post_empty(&format!("/api/orders/{ada_order}/cancel"))
        .await
        .assert_status(200);
    assert_eq!(shop.stock(1).await["reserved"], 2);

    // The prepared shipment must not leave with Grace's coffee.
    shop.post_empty(&format!("/api/shipments/{}/dispatch", id_of(&shipment)))
        .await
        .assert_error(409, "conflict");
    let coffee = shop.stock(1).await;
    assert_eq!(coffee["on_hand"], 40);
    assert_eq!(coffee["reserved"], 2, "Grace's reservation is intact");
    assert_eq!(shop.order_status(ada_order).await, "cancelled");
    let unchanged = shop
        .get(&format!("/api/shipments/{}", id_of(&shipment)))
        .await;
    assert_eq!(unchanged.body["status"], "created");
}
