"""The follow-up policy of a flow file: when the engine asks the customer how it went, how it
reminds, when it gives up, what counts as a bad answer and when it does not ask at all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from recovery.flows.base import STRICT, Within
from recovery.flows.durations import checked

Skip = Literal["reopened", "pending_remedy", "do_not_contact"]
"""When asking makes no sense: the case was reopened before, a remedy still waits for a lead's
approval, or the customer asked not to be contacted."""

SKIPS: tuple[Skip, ...] = ("reopened", "pending_remedy", "do_not_contact")

SCALE = (1, 5)
"""The customer-satisfaction scale the follow-up asks on: 1 (bad) to 5 (all is well)."""


class FollowUp(BaseModel):
    """Days after a case is resolved, ask the customer how it went and act on the answer."""

    model_config = STRICT
    after: Within = Field(description="how long after resolving to ask: 3d (working days on "
                            "a business clock)")
    clock: Literal["business", "calendar"] = Field(
        "business", description="business: days the team works, at a time it is in; "
        "calendar: round the clock")
    template: str = Field("follow_up", description="the template that asks")
    reminder: str = Field("follow_up_reminder", description="the template that reminds")
    ask: Literal["csat"] = Field("csat", description="what is asked: csat, a score of 1 to 5")
    reminder_after: Within | None = Field(None, description="one reminder this long after "
                                            "asking, when no answer came (none if omitted)")
    close_after: Within = Field(description="with no answer, the case closes quietly this "
                                  "long after asking")
    low_score: int = Field(2, ge=SCALE[0], lt=SCALE[1], description="a score at or below this "
                           "reopens the case, raises its priority and tells the lead")
    skip_when: list[Skip] = Field(default=list(SKIPS), description="when not to ask: reopened, "
                                  "pending_remedy, do_not_contact")
    sample: float = Field(1.0, gt=0, le=1, description="the share of cases asked (each case "
                          "is in or out for good, decided by its id)")

    @model_validator(mode="before")
    @classmethod
    def _clock_words(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for name, what in (("after", "the follow-up's wait before asking"),
                               ("reminder_after", "the follow-up's wait before reminding"),
                               ("close_after", "the follow-up's wait before closing")):
                checked(value.get(name), value.get("clock", "business"), what, "days")
        return value

    @model_validator(mode="after")
    def _order(self) -> FollowUp:
        if self.after <= timedelta(0) or self.close_after <= timedelta(0):
            raise ValueError("after and close_after must be positive, e.g. after: 3d")
        if self.reminder_after is not None and not (
                timedelta(0) < self.reminder_after < self.close_after):
            raise ValueError(f"reminder_after ({self.reminder_after}) must come before "
                             f"close_after ({self.close_after})")
        return self
