-- A message is one hole, however often it is dead-lettered: a redelivery of a dead-lettered
-- message (its offset commit lost during a rebalance) would otherwise record it again, and each
-- copy would need its own resolution.
CREATE UNIQUE INDEX finality_holes_one_per_message ON finality_holes (topic, partition, message_offset);
