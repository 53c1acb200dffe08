-- Admin search sorts by these columns with `id` as the tie-breaker; an index per sort keeps every
-- page, the last of a million rows included, an index scan instead of a full sort
-- (bench/results/admin-latest.md).
CREATE INDEX orders_total_amount_id ON orders (total_amount, id);
CREATE INDEX orders_status_id ON orders (status, id);
CREATE INDEX orders_updated_at_id ON orders (updated_at, id);
CREATE INDEX orders_customer_id_id ON orders (customer_id, id);
