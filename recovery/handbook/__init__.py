"""The living policy handbook: what a care manager reads of a brand's policy (its flow as a
picture, for now)."""
