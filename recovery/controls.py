"""Control characters in text from outside: terminal escape sequences (ESC, CSI), other C0 and C1
controls, and the bidirectional overrides and isolates that reorder what a reader sees.

A complaint, a handle or a name holding them could clear an agent's screen, write to their
clipboard (OSC 52) or make a reply read backwards. Shown to people they are written out
visibly (`\\x1b`, `U+202E`); in a public post they never appear (`unsafe` finds them, so a
template leaves such a handle or name out and the linter refuses a reply that holds one).
"""

from __future__ import annotations

import re

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""The bidirectional marks, embeddings, overrides and isolates."""
SEPARATORS = "\u2028\u2029"
"""Unicode's line and paragraph separators: a terminal may break a line at them."""
_C0 = "".join(chr(code) for code in range(0x20) if chr(code) not in "\n\t")
_C1 = "".join(chr(code) for code in range(0x7F, 0xA0))
_UNSAFE = re.compile(f"[{re.escape(_C0 + _C1 + BIDI + SEPARATORS)}]")
_UNSAFE_LINE = re.compile(f"[{re.escape(_C0 + _C1 + BIDI + SEPARATORS)}\n\t]")


def _written(found: re.Match[str]) -> str:
    char = found[0]
    if char == "\n":
        return " "
    if char == "\t":
        return " "
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"U+{ord(char):04X}"


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character, escape and bidirectional override written out
    (`\\x1b[2J`, `U+202E`); a tab a space; with `one_line`, a line break a space too."""
    pattern = _UNSAFE_LINE if one_line else _UNSAFE
    if not pattern.search(text):
        return text.replace("\t", " ") if "\t" in text else text
    return pattern.sub(_written, text).replace("\t", " ")


def unsafe(text: str) -> list[str]:
    """The control characters and overrides in `text`, written out, in order of appearance."""
    return [_written(found) for found in _UNSAFE.finditer(text)]


def publishable(text: str) -> str:
    """`text` (a handle, a name) as a public post may say it: as it is, or nothing when it
    holds a control character or an override (the post then greets without it)."""
    return "" if _UNSAFE.search(text) else text
