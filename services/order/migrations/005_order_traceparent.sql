-- The span of the POST that placed the order (W3C traceparent): an order failed by the payment
-- timeout announces its completion on the same trace. Nullable, no default: instant on a big table.
ALTER TABLE orders ADD COLUMN traceparent text;
