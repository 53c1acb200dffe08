-- Refunds (docs/decisions/007): a SUCCESS payment whose order had already FAILED is given back
-- and becomes REFUNDED, once. decline_reason keeps why a payment FAILED (card declined, or the
-- order's payment deadline had passed so it was never charged); it was only in the event before.
ALTER TYPE payment_status ADD VALUE IF NOT EXISTS 'REFUNDED';

ALTER TABLE payments
    ADD COLUMN refunded_at    timestamptz,
    ADD COLUMN decline_reason text;
