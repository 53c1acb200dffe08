-- The trace (W3C traceparent) of the request to refund, so PaymentRefunded continues the order's trace.
ALTER TABLE refund_requests ADD COLUMN traceparent text;
