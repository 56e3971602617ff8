-- Stripe billing (internal/billing, store/stripe.go). Events are kept by id so a
-- redelivery changes nothing; each subscription's latest state (by the event's own
-- time, since Stripe does not deliver in order) is what an account's MRR is summed
-- from; customers are matched to accounts, and an unmatched one waits for an admin.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    created     BIGINT NOT NULL,   -- the event's time at Stripe, ms
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL      -- applied, ignored, stale, unmatched, or why it was refused
);
CREATE INDEX stripe_events_received ON stripe_events(received_at);

CREATE TABLE stripe_customers (
    id          TEXT PRIMARY KEY,  -- cus_…
    email       TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    account_key TEXT NOT NULL DEFAULT '', -- metadata.closeloop_account
    account_id  TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    updated     BIGINT NOT NULL,   -- time of the event that last described it, ms
    -- The last invoice: paid (ok) or its payment failed; an account's payment state is
    -- its customers' latest.
    payment_state    TEXT NOT NULL DEFAULT '',
    payment_invoice  TEXT NOT NULL DEFAULT '',
    payment_amount   BIGINT NOT NULL DEFAULT 0,
    payment_currency TEXT NOT NULL DEFAULT '',
    payment_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX stripe_customers_account ON stripe_customers(account_id);

CREATE TABLE stripe_subscriptions (
    id          TEXT PRIMARY KEY,  -- sub_…
    customer_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    mrr         BIGINT NOT NULL,   -- minor units a month, after discounts; 0 unless it bills
    updated     BIGINT NOT NULL    -- time of the event that last described it, ms
);
CREATE INDEX stripe_subscriptions_customer ON stripe_subscriptions(customer_id);
