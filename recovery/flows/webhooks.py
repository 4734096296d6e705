"""Where a brand's events go: the `webhooks:` of a flow file. Secrets come from the environment,
never from the file; the file only names the variable that holds one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from recovery.flows.base import STRICT, Duration, Names

Kind = Literal["opened", "fired", "replied", "notice", "warned", "breached", "remedy",
               "follow_up", "redacted", "reach", "hidden", "incident"]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""What an event is, as an endpoint subscribes to it: a case opened, a trigger fired, a reply
sent, an after-hours notice to post, an SLA clock warned or breached, a remedy offered or
settled, a step of the follow-up, an event redacted, a reach update, a post hidden under the
house rules, a case linked to an incident."""

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class Webhook(BaseModel):
    """One endpoint that receives the brand's events, signed with a secret."""

    model_config = STRICT
    url: str = Field(max_length=2000, description="where events are POSTed (http or https)")
    secret_env: str = Field(description="the environment variable holding the signing secret")
    events: Names = Field(["all"], description=f"which kinds: all, or some of {', '.join(KINDS)}")
    attempts: int = Field(10, ge=1, le=50, description="tries before a delivery is dead")
    backoff: Duration = Field(timedelta(minutes=3), description="the wait before the first "
                              "retry; each later one waits twice as long (about a day in all "
                              "with the defaults), give or take a fifth")
    timeout: float = Field(5, gt=0, le=8, description="seconds one try may take to connect and "
                           "to answer (at most 8, so a stopped worker is gone within 10 s)")

    @model_validator(mode="before")
    @classmethod
    def _no_secret(cls, data: Any) -> Any:
        if isinstance(data, dict) and "secret" in data:
            raise ValueError("a secret does not belong in the flow file: put it in an "
                             "environment variable and name that with secret_env")
        return data

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{value}' is not an http or https address")
        if parts.username or parts.password:
            raise ValueError("the address holds credentials; sign with secret_env instead")
        return value

    @field_validator("secret_env")
    @classmethod
    def _env(cls, value: str) -> str:
        if not _ENV.match(value):
            raise ValueError(f"'{value}' is not an environment variable name (letters, digits "
                             "and _, e.g. BISTRO_WEBHOOK_SECRET)")
        return value

    @field_validator("events")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = [kind for kind in value if kind not in (*KINDS, "all")]
        if unknown:
            raise ValueError(f"unknown event kind '{unknown[0]}'; use all or some of "
                             f"{', '.join(KINDS)}")
        return value

    @field_validator("backoff")
    @classmethod
    def _backoff(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0) or value > timedelta(days=1):
            raise ValueError("give a wait above zero and at most a day (e.g. 3m)")
        return value

    def wants(self, kind: str) -> bool:
        """Whether this endpoint subscribes to events of that kind."""
        return "all" in self.events or kind in self.events


def _distinct(hooks: list[Webhook]) -> list[Webhook]:
    seen: set[str] = set()
    for hook in hooks:
        if hook.url in seen:
            raise ValueError(f"{hook.url} is listed twice; give it one entry with all the "
                             "events it wants")
        seen.add(hook.url)
    return hooks


Webhooks = Annotated[list[Webhook], AfterValidator(_distinct)]
"""A brand's endpoints, each address once (a delivery is known by its event and address)."""
