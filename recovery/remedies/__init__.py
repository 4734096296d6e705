"""Remedies: the ledger of what was offered, approved, declined and issued on each case."""

from recovery.remedies.ledger import Ledger, code

__all__ = ["Ledger", "code"]
