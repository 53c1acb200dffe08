-- Admin search sorts by these columns with `id` as the tie-breaker; see the order service's 002.
CREATE INDEX payments_total_amount_id ON payments (total_amount, id);
CREATE INDEX payments_status_id ON payments (status, id);
CREATE INDEX payments_updated_at_id ON payments (updated_at, id);
CREATE INDEX payments_customer_id_id ON payments (customer_id, id);
