"""Storage: SQLModel tables, the connection, and the reads and writes of the engine."""
