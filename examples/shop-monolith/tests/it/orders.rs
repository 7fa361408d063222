//! `/api/orders` and `/api/customers/{id}/orders`: checkout, listing, cancellation, and the
//! whole order lifecycle across cart, inventory, payments, shipping and notifications.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn checkout_turns_the_cart_into_a_priced_pending_order() {
    let shop = Shop::start().await;
    let reply = shop.post("/api/orders", json!({"customer_id": 1})).await;
    reply.assert_status(201);
    let order = &reply.body;
    assert_eq!(order["id"], 2);
    assert_eq!(order["customer_id"], 1);
    assert_eq!(order["shipping_address_id"], 1, "Ada's default address");
    assert_eq!(order["status"], "pending");
    assert_eq!(
        order["items"],
        json!([
            {"product_id": 1, "sku": "COF-ETH-250", "name": "Ethiopia Yirgacheffe 250 g", "unit_price_cents": 1290, "quantity": 2},
            {"product_id": 5, "sku": "BRW-FIL-100", "name": "Paper filters (100)", "unit_price_cents": 590, "quantity": 1}
        ])
    );
    // 2 x 12.90 + 5.90; British tax 20 %; standard shipping abroad 4.90 + 10.00.
    assert_eq!(order["subtotal_cents"], 3170);
    assert_eq!(order["tax_cents"], 634);
    assert_eq!(order["shipping_cents"], 1490);
    assert_eq!(order["total_cents"], 5294);
    assert_eq!(order["total"], "52.94");

    let fetched = shop.get("/api/orders/2").await;
    fetched.assert_status(200);
    assert_eq!(&fetched.body, order);

    // The cart is emptied and the stock is reserved.
    let cart = shop.get("/api/carts/1").await;
    assert_eq!(cart.body["items"], json!([]));
    let coffee = shop.stock(1).await;
    assert_eq!(coffee["on_hand"], 40);
    assert_eq!(coffee["reserved"], 2);
    assert_eq!(coffee["available"], 38);
    assert_eq!(shop.stock(5).await["reserved"], 1);
}

#[tokio::test]
async fn checkout_prices_by_address_and_service_level() {
    let shop = Shop::start().await;
    // Alan, at home in Germany: 89.00 + 49.90 = 138.90, free standard shipping over 100.00.
    shop.add_to_cart(2, 6, 1).await;
    shop.add_to_cart(2, 7, 1).await;
    let home = shop.checkout(2).await;
    assert_eq!(home["shipping_address_id"], 2);
    assert_eq!(home["subtotal_cents"], 13890);
    assert_eq!(home["tax_cents"], 2639);
    assert_eq!(home["shipping_cents"], 0);
    assert_eq!(home["total_cents"], 16529);

    // The same basket to his British address, express.
    shop.add_to_cart(2, 6, 1).await;
    shop.add_to_cart(2, 7, 1).await;
    let reply = shop
        .post(
            "/api/orders",
            json!({"customer_id": 2, "address_id": 4, "service_level": "express"}),
        )
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["shipping_address_id"], 4);
    assert_eq!(reply.body["tax_cents"], 2778);
    assert_eq!(reply.body["shipping_cents"], 1990);
    assert_eq!(reply.body["total_cents"], 18658);

    // Grace in the US: 3 x 11.50 = 34.50, tax 7.25 % = 2.50125 rounds to 2.50.
    shop.add_to_cart(3, 2, 3).await;
    let us = shop.checkout(3).await;
    assert_eq!(us["subtotal_cents"], 3450);
    assert_eq!(us["tax_cents"], 250);
    assert_eq!(us["shipping_cents"], 1490);
    assert_eq!(us["total_cents"], 5190);
    assert_eq!(us["total"], "51.90");

    // Ada, express to London.
    let reply = shop
        .post(
            "/api/orders",
            json!({"customer_id": 1, "service_level": "express"}),
        )
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["shipping_cents"], 1990);
    assert_eq!(reply.body["total_cents"], 5794);
}

#[tokio::test]
async fn order_prices_are_frozen_at_checkout() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    shop.put("/api/products/1", json!({"price_cents": 9999}))
        .await
        .assert_status(200);
    let fetched = shop.get(&format!("/api/orders/{}", id_of(&order))).await;
    assert_eq!(fetched.body["items"][0]["unit_price_cents"], 1290);
    assert_eq!(fetched.body["total_cents"], 5294);
}

#[tokio::test]
async fn checkout_rejects_unknown_customers_addresses_and_empty_carts() {
    let shop = Shop::start().await;
    shop.post("/api/orders", json!({"customer_id": 999}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/orders", json!({"customer_id": 3}))
        .await
        .assert_error(409, "conflict");
    shop.post("/api/orders", json!({"customer_id": 1, "address_id": 2}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/orders", json!({"customer_id": 1, "address_id": 999}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/orders", json!({"address_id": 1}))
        .await
        .assert_error(400, "bad_request");

    let homeless = shop
        .post(
            "/api/customers",
            json!({"email": "nomad@example.org", "name": "Nomad"}),
        )
        .await;
    let nomad = id_of(&homeless.body);
    shop.add_to_cart(nomad, 1, 1).await;
    shop.post("/api/orders", json!({"customer_id": nomad}))
        .await
        .assert_error(400, "bad_request");

    let orders = shop.get("/api/orders").await;
    assert_eq!(pluck(&orders.body, "id"), [1], "no order was placed");
}

#[tokio::test]
async fn a_failed_checkout_changes_nothing() {
    let shop = Shop::start().await;
    shop.post(
        "/api/orders",
        json!({"customer_id": 1, "service_level": "overnight"}),
    )
    .await
    .assert_error(400, "bad_request");
    assert_eq!(shop.stock(1).await["reserved"], 0);
    assert_eq!(shop.stock(5).await["reserved"], 0);
    assert_eq!(shop.get("/api/carts/1").await.body["item_count"], 3);
    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(notes.body, json!([]));

    // More espresso cups than the two on hand: the mug reserved first is released again.
    shop.add_to_cart(3, 8, 1).await;
    shop.add_to_cart(3, 9, 3).await;
    shop.post("/api/orders", json!({"customer_id": 3}))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.stock(8).await["reserved"], 0);
    assert_eq!(shop.stock(9).await["reserved"], 0);
    assert_eq!(shop.get("/api/carts/3").await.body["item_count"], 4);

    // Exactly what is on hand is fine.
    shop.put("/api/carts/3/items/9", json!({"quantity": 2}))
        .await
        .assert_status(200);
    let order = shop.checkout(3).await;
    assert_eq!(pluck(&order["items"], "quantity"), [1, 2]);
    let cups = shop.stock(9).await;
    assert_eq!(cups["reserved"], 2);
    assert_eq!(cups["available"], 0);
}

#[tokio::test]
async fn checkout_refuses_products_that_are_no_longer_sold() {
    let shop = Shop::start().await;
    shop.delete("/api/products/5").await.assert_status(204);
    shop.post("/api/orders", json!({"customer_id": 1}))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.stock(1).await["reserved"], 0);
    shop.delete("/api/carts/1/items/5").await.assert_status(200);
    let order = shop.checkout(1).await;
    assert_eq!(order["subtotal_cents"], 2580);
}

#[tokio::test]
async fn gets_one_order_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/orders/1").await;
    reply.assert_status(200);
    let order = &reply.body;
    assert_eq!(order["customer_id"], 2);
    assert_eq!(order["shipping_address_id"], 2);
    assert_eq!(order["status"], "delivered");
    assert_eq!(order["subtotal_cents"], 6470);
    assert_eq!(order["tax_cents"], 1229);
    assert_eq!(order["shipping_cents"], 490);
    assert_eq!(order["total_cents"], 8189);
    assert_eq!(order["total"], "81.89");
    assert_eq!(pluck(&order["items"], "sku"), ["COF-ESP-1K", "CUP-MUG-350"]);
    assert_eq!(pluck(&order["items"], "quantity"), [1, 2]);

    shop.get("/api/orders/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/orders/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn lists_orders_newest_first_with_filters_and_paging() {
    let shop = Shop::start().await;
    shop.checkout(1).await;
    shop.add_to_cart(3, 10, 1).await;
    let grace = shop.checkout(3).await;
    shop.pay(id_of(&grace)).await;

    let all = shop.get("/api/orders").await;
    all.assert_status(200);
    assert_eq!(pluck(&all.body, "id"), [3, 2, 1]);
    assert_eq!(pluck(&all.body, "status"), ["paid", "pending", "delivered"]);
    assert_eq!(
        all.body[2]["items"].as_array().unwrap().len(),
        2,
        "listed orders carry their items"
    );

    let ada = shop.get("/api/orders?customer_id=1").await;
    assert_eq!(pluck(&ada.body, "id"), [2]);
    let paid = shop.get("/api/orders?status=paid").await;
    assert_eq!(pluck(&paid.body, "id"), [3]);
    let both = shop.get("/api/orders?customer_id=3&status=pending").await;
    assert_eq!(both.body, json!([]));
    let page = shop.get("/api/orders?limit=1&offset=1").await;
    assert_eq!(pluck(&page.body, "id"), [2]);
    let filtered_page = shop.get("/api/orders?status=delivered&limit=5").await;
    assert_eq!(pluck(&filtered_page.body, "id"), [1]);

    shop.get("/api/orders?status=lost")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/orders?customer_id=abc")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/orders?limit=101")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn lists_the_orders_of_one_customer() {
    let shop = Shop::start().await;
    let alan = shop.get("/api/customers/2/orders").await;
    alan.assert_status(200);
    assert_eq!(pluck(&alan.body, "id"), [1]);
    assert_eq!(alan.body[0]["total_cents"], 8189);

    shop.add_to_cart(2, 11, 2).await;
    shop.checkout(2).await;
    let alan = shop.get("/api/customers/2/orders").await;
    assert_eq!(pluck(&alan.body, "id"), [2, 1]);
    let first_page = shop.get("/api/customers/2/orders?limit=1").await;
    assert_eq!(pluck(&first_page.body, "id"), [2]);

    let grace = shop.get("/api/customers/3/orders").await;
    grace.assert_status(200);
    assert_eq!(grace.body, json!([]));

    shop.get("/api/customers/999/orders")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/customers/2/orders?offset=-1")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn cancelling_a_pending_order_releases_stock_and_voids_the_authorisation() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let id = id_of(&order);
    let payment = shop
        .post("/api/payments", json!({"order_id": id, "method": "paypal"}))
        .await;
    payment.assert_status(201);

    let reply = shop.post_empty(&format!("/api/orders/{id}/cancel")).await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "cancelled");
    assert_eq!(reply.body["total_cents"], 5294);

    let coffee = shop.stock(1).await;
    assert_eq!(coffee["reserved"], 0);
    assert_eq!(coffee["on_hand"], 40);
    assert_eq!(coffee["movements"][0]["reason"], "released 2");
    assert_eq!(shop.stock(5).await["reserved"], 0);

    let voided = shop
        .get(&format!("/api/payments/{}", id_of(&payment.body)))
        .await;
    assert_eq!(voided.body["status"], "voided");
    assert_eq!(voided.body["refunded_cents"], 0);

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(notes.body[0]["kind"], "order_cancelled");
    assert_eq!(notes.body[0]["subject"], format!("Order #{id} cancelled"));
    assert_eq!(
        notes.body[0]["body"],
        format!("Your order #{id} was cancelled.")
    );

    shop.post_empty(&format!("/api/orders/{id}/cancel"))
        .await
        .assert_error(409, "conflict");
    assert_eq!(
        shop.stock(1).await["reserved"],
        0,
        "a refused cancel releases nothing"
    );
}

#[tokio::test]
async fn cancelling_a_paid_order_refunds_the_payment_and_releases_stock() {
    let shop = Shop::start().await;
    // Another pending order holds kettles too, so releasing must be exact, not a reset.
    shop.add_to_cart(3, 7, 2).await;
    shop.checkout(3).await;
    shop.add_to_cart(1, 7, 1).await;
    let order = shop.checkout(1).await;
    let id = id_of(&order);
    // 31.70 + 49.90 = 81.60; tax 16.32; shipping 14.90.
    assert_eq!(order["total_cents"], 11282);
    assert_eq!(shop.stock(7).await["reserved"], 3);
    let payment = shop.pay(id).await;
    assert_eq!(shop.order_status(id).await, "paid");

    let reply = shop.post_empty(&format!("/api/orders/{id}/cancel")).await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "cancelled");

    let refunded = shop
        .get(&format!("/api/payments/{}", id_of(&payment)))
        .await;
    assert_eq!(refunded.body["status"], "refunded");
    assert_eq!(refunded.body["refunded_cents"], 11282);
    assert_eq!(pluck(&refunded.body["refunds"], "amount_cents"), [11282]);
    assert_eq!(
        pluck(&refunded.body["refunds"], "reason"),
        ["order cancelled"]
    );

    assert_eq!(shop.stock(1).await["reserved"], 0);
    assert_eq!(shop.stock(5).await["reserved"], 0);
    let kettles = shop.stock(7).await;
    assert_eq!(kettles["reserved"], 2, "Grace's reservation stays");
    assert_eq!(kettles["on_hand"], 6);

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(
        pluck(&notes.body, "kind"),
        ["order_cancelled", "payment_received", "order_placed"]
    );
    assert_eq!(
        notes.body[0]["body"],
        format!("Your order #{id} was cancelled and 112.82 refunded.")
    );

    // Nothing left to pay or ship.
    shop.post("/api/payments", json!({"order_id": id, "method": "card"}))
        .await
        .assert_error(409, "conflict");
    shop.post("/api/shipments", json!({"order_id": id, "carrier": "dhl"}))
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn orders_that_have_left_the_warehouse_cannot_be_cancelled() {
    let shop = Shop::start().await;
    shop.post_empty("/api/orders/1/cancel")
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.order_status(1).await, "delivered");
    let payment = shop.get("/api/payments/1").await;
    assert_eq!(payment.body["status"], "captured", "no refund was made");

    let order = shop.checkout(1).await;
    let id = id_of(&order);
    shop.pay(id).await;
    let shipment = shop.ship(id).await;
    shop.post_empty(&format!("/api/shipments/{}/dispatch", id_of(&shipment)))
        .await
        .assert_status(200);
    shop.post_empty(&format!("/api/orders/{id}/cancel"))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.order_status(id).await, "shipped");

    shop.post_empty("/api/orders/999/cancel")
        .await
        .assert_error(404, "not_found");
    shop.post_empty("/api/orders/abc/cancel")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn an_order_goes_from_cart_to_doorstep() {
    let shop = Shop::start().await;

    // Grace fills her cart and checks out: 2 x 12.90 + 25.90 = 51.70 to the US.
    shop.add_to_cart(3, 1, 2).await;
    let cart = shop.add_to_cart(3, 4, 1).await;
    assert_eq!(cart["subtotal_cents"], 5170);
    let order = shop.checkout(3).await;
    let order_id = id_of(&order);
    assert_eq!(order["status"], "pending");
    assert_eq!(order["subtotal_cents"], 5170);
    assert_eq!(order["tax_cents"], 375, "7.25 % of 51.70 = 3.74825");
    assert_eq!(order["shipping_cents"], 1490);
    assert_eq!(order["total_cents"], 7035);

    // Stock is promised, not yet gone.
    let coffee = shop.stock(1).await;
    assert_eq!(
        (coffee["on_hand"].as_i64(), coffee["reserved"].as_i64()),
        (Some(40), Some(2))
    );
    let dripper = shop.stock(4).await;
    assert_eq!(
        (dripper["on_hand"].as_i64(), dripper["reserved"].as_i64()),
        (Some(8), Some(1))
    );

    // Payment: authorise, then capture.
    let authorized = shop
        .post(
            "/api/payments",
            json!({"order_id": order_id, "method": "card"}),
        )
        .await;
    authorized.assert_status(201);
    assert_eq!(authorized.body["status"], "authorized");
    assert_eq!(authorized.body["amount_cents"], 7035);
    let reference = authorized.body["reference"].as_str().unwrap().to_string();
    assert!(reference.starts_with("PAY-"), "{reference}");
    assert_eq!(shop.order_status(order_id).await, "pending");

    let payment_id = id_of(&authorized.body);
    let captured = shop
        .post_empty(&format!("/api/payments/{payment_id}/capture"))
        .await;
    captured.assert_status(200);
    assert_eq!(captured.body["status"], "captured");
    assert_eq!(shop.order_status(order_id).await, "paid");

    // Shipping: create, dispatch, deliver.
    let shipment = shop.ship(order_id).await;
    assert_eq!(shipment["status"], "created");
    assert_eq!(shipment["address_id"], 3);
    assert_eq!(shipment["cost_cents"], 1490);
    let shipment_id = id_of(&shipment);
    assert_eq!(shop.order_status(order_id).await, "paid");

    let dispatched = shop
        .post_empty(&format!("/api/shipments/{shipment_id}/dispatch"))
        .await;
    dispatched.assert_status(200);
    assert_eq!(dispatched.body["status"], "in_transit");
    let tracking = dispatched.body["tracking_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(tracking.starts_with("DHL-"), "{tracking}");
    assert_eq!(shop.order_status(order_id).await, "shipped");

    let coffee = shop.stock(1).await;
    assert_eq!(
        (coffee["on_hand"].as_i64(), coffee["reserved"].as_i64()),
        (Some(38), Some(0))
    );
    assert_eq!(coffee["movements"][0]["delta"], -2);
    assert_eq!(coffee["movements"][0]["reason"], "shipped");
    let dripper = shop.stock(4).await;
    assert_eq!(
        (dripper["on_hand"].as_i64(), dripper["reserved"].as_i64()),
        (Some(7), Some(0))
    );

    let delivered = shop
        .post_empty(&format!("/api/shipments/{shipment_id}/deliver"))
        .await;
    delivered.assert_status(200);
    assert_eq!(delivered.body["status"], "delivered");
    assert_eq!(shop.order_status(order_id).await, "delivered");

    // Grace heard about every step, newest first.
    let notes = shop.get("/api/customers/3/notifications").await;
    notes.assert_status(200);
    assert_eq!(
        pluck(&notes.body, "kind"),
        [
            "order_delivered",
            "order_shipped",
            "payment_received",
            "order_placed"
        ]
    );
    assert_eq!(
        pluck(&notes.body, "subject"),
        [
            format!("Order #{order_id}"),
            format!("Order #{order_id}"),
            format!("Payment for order #{order_id} received"),
            format!("Order #{order_id} received"),
        ]
    );
    assert!(
        pluck(&notes.body, "recipient")
            .iter()
            .all(|recipient| recipient == "grace@example.org"),
        "{}",
        notes.body
    );
    assert_eq!(notes.body[0]["body"], "Your parcel was delivered.");
    assert_eq!(
        notes.body[1]["body"],
        format!("Your parcel is on its way: {tracking}")
    );
    assert_eq!(
        notes.body[2]["body"],
        format!("We received 70.35 ({reference}).")
    );
    assert_eq!(
        notes.body[3]["body"],
        "Thank you, Grace Hopper. Your order of 70.35 is waiting for payment."
    );
    assert_eq!(pluck(&notes.body, "read"), [false, false, false, false]);
}
