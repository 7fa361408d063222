-- Demo data for a new database: a small shop with a few customers and one finished order.
-- Every time is written out, so two databases seeded a moment apart hold the same rows.
INSERT INTO categories (id, name, description) VALUES
    (1, 'Coffee', 'Beans and ground coffee'),
    (2, 'Brewing', 'Things that turn beans into coffee'),
    (3, 'Cups', 'Mugs, cups and glasses'),
    (4, 'Tea', 'Loose leaf tea');

INSERT INTO products (id, sku, name, description, price_cents, category_id, active, created_at) VALUES
    (1, 'COF-ETH-250', 'Ethiopia Yirgacheffe 250 g', 'Floral, bright, light roast', 1290, 1, 1, '2026-01-02 09:00:00'),
    (2, 'COF-COL-250', 'Colombia Huila 250 g', 'Chocolate and red fruit', 1150, 1, 1, '2026-01-02 09:00:00'),
    (3, 'COF-ESP-1K', 'House Espresso 1 kg', 'Dark roast for espresso machines', 3490, 1, 1, '2026-01-02 09:00:00'),
    (4, 'BRW-V60-02', 'Pour-over dripper V60 02', 'Ceramic dripper', 2590, 2, 1, '2026-01-02 09:00:00'),
    (5, 'BRW-FIL-100', 'Paper filters (100)', 'For size 02 drippers', 590, 2, 1, '2026-01-02 09:00:00'),
    (6, 'BRW-GRD-HND', 'Hand grinder', 'Conical steel burrs', 8900, 2, 1, '2026-01-02 09:00:00'),
    (7, 'BRW-KTL-GSN', 'Gooseneck kettle', '1 litre, stovetop', 4990, 2, 1, '2026-01-02 09:00:00'),
    (8, 'CUP-MUG-350', 'Stoneware mug 350 ml', 'Glazed, dishwasher safe', 1490, 3, 1, '2026-01-02 09:00:00'),
    (9, 'CUP-ESP-2', 'Espresso cups (2)', 'Double-walled glass', 1890, 3, 1, '2026-01-02 09:00:00'),
    (10, 'TEA-SEN-100', 'Sencha 100 g', 'Japanese green tea', 990, 4, 1, '2026-01-02 09:00:00'),
    (11, 'TEA-ASS-200', 'Assam 200 g', 'Malty black tea', 1090, 4, 1, '2026-01-02 09:00:00'),
    (12, 'COF-DEC-250', 'Decaf Brazil 250 g', 'Swiss water process (discontinued)', 1190, 1, 0, '2026-01-02 09:00:00');

INSERT INTO stock_levels (product_id, on_hand, reserved, reorder_level, updated_at) VALUES
    (1, 40, 0, 10, '2026-01-02 09:00:00'),
    (2, 35, 0, 10, '2026-01-02 09:00:00'),
    (3, 12, 0, 5, '2026-01-02 09:00:00'),
    (4, 8, 0, 3, '2026-01-02 09:00:00'),
    (5, 120, 0, 20, '2026-01-02 09:00:00'),
    (6, 4, 0, 5, '2026-01-02 09:00:00'),
    (7, 6, 0, 3, '2026-01-02 09:00:00'),
    (8, 30, 0, 10, '2026-01-02 09:00:00'),
    (9, 2, 0, 4, '2026-01-02 09:00:00'),
    (10, 25, 0, 5, '2026-01-02 09:00:00'),
    (11, 18, 0, 5, '2026-01-02 09:00:00'),
    (12, 0, 0, 0, '2026-01-02 09:00:00');

INSERT INTO customers (id, email, name, created_at) VALUES
    (1, 'ada@example.org', 'Ada Lovelace', '2026-01-03 11:20:00'),
    (2, 'alan@example.org', 'Alan Turing', '2026-01-03 11:20:00'),
    (3, 'grace@example.org', 'Grace Hopper', '2026-01-03 11:20:00');

INSERT INTO addresses (id, customer_id, line1, city, postal_code, country, is_default) VALUES
    (1, 1, '12 St James''s Square', 'London', 'SW1Y 4JH', 'GB', 1),
    (2, 2, 'Hauptstrasse 5', 'Berlin', '10115', 'DE', 1),
    (3, 3, '1 Navy Yard', 'Arlington', '22202', 'US', 1),
    (4, 2, 'Bletchley Park', 'Milton Keynes', 'MK3 6EB', 'GB', 0);

INSERT INTO carts (id, customer_id, updated_at) VALUES (1, 1, '2026-01-08 18:45:00');
INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (1, 1, 2), (1, 5, 1);

-- Alan's order: paid, shipped and delivered.
INSERT INTO orders (id, customer_id, shipping_address_id, status, subtotal_cents, tax_cents, shipping_cents, total_cents, created_at, updated_at) VALUES
    (1, 2, 2, 'delivered', 6470, 1229, 490, 8189, '2026-01-04 16:05:00', '2026-01-07 14:30:00');
INSERT INTO order_items (order_id, product_id, sku, name, unit_price_cents, quantity) VALUES
    (1, 3, 'COF-ESP-1K', 'House Espresso 1 kg', 3490, 1),
    (1, 8, 'CUP-MUG-350', 'Stoneware mug 350 ml', 1490, 2);
INSERT INTO payments (id, order_id, amount_cents, method, status, reference, created_at) VALUES
    (1, 1, 8189, 'card', 'captured', 'PAY-SEED-0001', '2026-01-04 16:05:00');
INSERT INTO shipments (id, order_id, address_id, carrier, service_level, cost_cents, tracking_number, status, dispatched_at, delivered_at, created_at) VALUES
    (1, 1, 2, 'dhl', 'standard', 490, 'DHL-SEED-0001', 'delivered', '2026-01-05 10:00:00', '2026-01-07 14:30:00', '2026-01-04 16:06:00');

INSERT INTO notifications (customer_id, kind, recipient, subject, body, read, created_at) VALUES
    (2, 'order_placed', 'alan@example.org', 'Order #1 received', 'Thank you, Alan Turing.', 1, '2026-01-04 16:05:00'),
    (2, 'order_delivered', 'alan@example.org', 'Order #1', 'Your parcel was delivered.', 0, '2026-01-07 14:30:00');
