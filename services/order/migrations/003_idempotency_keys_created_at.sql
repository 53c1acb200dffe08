-- migrate: no-transaction
-- The purge of expired Idempotency-Keys (ORDER_IDEMPOTENCY_KEY_RETENTION_MS) finds them by age.
CREATE INDEX CONCURRENTLY IF NOT EXISTS order_idempotency_keys_created_at ON order_idempotency_keys (created_at);
