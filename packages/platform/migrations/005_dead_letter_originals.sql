-- A message can be dead-lettered twice (the outbox publishes at least once): both copies name the
-- same original place. One decision per original message: a replay or discard of one copy makes
-- the other a 409, so the message is never replayed twice through the console.
ALTER TABLE dead_letter_actions
    ADD COLUMN original_topic     text,
    ADD COLUMN original_partition integer,
    ADD COLUMN original_offset    bigint;
CREATE UNIQUE INDEX dead_letter_actions_original ON dead_letter_actions (original_topic, original_partition, original_offset)
    WHERE original_topic IS NOT NULL;
