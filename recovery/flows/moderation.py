"""House rules: what a brand hides from its public threads, and where it publishes the rules.

```yaml
moderation:
  house_rules: https://bistro.example/house-rules   # published beside the hours (optional)
  hides:                  # a rule: what it covers, as the rules say it
    abuse: insults and threats against anyone
    spam: advertising and links unrelated to the thread
    personal_data: other people's personal data
```

Hiding a post is an event with the rule and who did it (`moderation.py` above). A complaint is
never hidden: not the complaint, and not the complaining customer's other posts (everything a
customer posts in public stays public; answer it).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from recovery.flows.base import STRICT

HIDE = "hide"
"""The event a hidden post is recorded as (reserved for the engine: no flow may declare it)."""

RuleName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class Moderation(BaseModel):
    """The brand's house rules: what may be hidden, and where the rules are published."""

    model_config = STRICT

    house_rules: str | None = Field(default=None, max_length=2000, description="where the "
                                    "rules are published (an http or https address)")
    hides: dict[RuleName, Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default={}, description="each rule a post may be hidden under, with what it covers")

    @field_validator("house_rules")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"'{value[:80]}' is not an http(s) address")
        return value
