"""Replies: the linter that checks what a reply says, and the template context it is written
from. Built on `signals` (language, tone, personal data); the engine records what passes."""

from __future__ import annotations

from recovery.replies.copies import CopyIndex, skeleton
from recovery.replies.lint import Finding, Linted, Rules, Severity, Subject, lint
from recovery.replies.phrasebook import phrasebook
from recovery.replies.spelling import Speller

__all__ = ["CopyIndex", "Finding", "Linted", "Rules", "Severity", "Speller", "Subject", "lint",
           "phrasebook", "skeleton"]
