-- What operators did with dead letters (the portal's Dead letters page): replayed to the original
-- topic, or discarded with a reason. One action per letter, so two operators cannot replay the
-- same letter at once; a replay that fails again is a new letter at a new offset. The letters
-- themselves stay in their Kafka topics (<topic>.dlq).
CREATE TABLE dead_letter_actions (
    dead_letter_topic     text NOT NULL,
    dead_letter_partition integer NOT NULL,
    dead_letter_offset    bigint NOT NULL,
    action                text NOT NULL CHECK (action IN ('replayed', 'discarded')),
    actor                 text NOT NULL,
    note                  text,
    at                    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dead_letter_topic, dead_letter_partition, dead_letter_offset)
);
