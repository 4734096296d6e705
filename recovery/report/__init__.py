"""The care report: what a care manager answers to the board for, read with SQL aggregates."""
