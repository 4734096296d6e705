"""Remedies: the ledger of what was offered, approved, declined and issued on each case."""

from recovery.remedies.ledger import Ledger

__all__ = ["Ledger"]
