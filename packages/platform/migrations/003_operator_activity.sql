-- Every change an operator makes through a service (campaign created, edited, closed; a finality
-- hole resolved; an audit stored; an operator created or changed): who, when, what, and the record
-- before and after. Written in the transaction of the change itself, so a change and its entry
-- exist together or not at all. Never updated or deleted by the services.
CREATE TABLE operator_activity (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    role    text NOT NULL,
    action  text NOT NULL,
    target  text NOT NULL,
    before  jsonb,
    after   jsonb
);
CREATE INDEX operator_activity_at ON operator_activity (at DESC, id DESC);
