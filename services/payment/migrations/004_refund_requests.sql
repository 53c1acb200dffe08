-- Refunds the order service asked for, kept until the gateway has made them (docs/decisions/007).
-- The consumer only records a request; a scheduled pass asks the gateway and retries with
-- back-off for as long as it refuses or fails, so a refund is never dropped into a dead letter.
CREATE TABLE refund_requests (
    payment_id      varchar(20) PRIMARY KEY,
    order_id        varchar(20) NOT NULL,
    reason          text NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    settled_at      timestamptz
);

CREATE INDEX refund_requests_due ON refund_requests (next_attempt_at) WHERE settled_at IS NULL;
