"""The policy handbook runner: a pytest plugin and its step library."""
