"""The remedy catalogue of a flow file: what a brand offers, who may give how much, how it is
issued and worded, and its budget for remedies beyond duty."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from recovery.flows.base import STRICT, Duration

Plural = Literal["zero", "one", "two", "few", "many", "other"]
"""The CLDR plural categories a language sorts numbers into."""


class PerCustomer(BaseModel):
    """How many remedies of a kind one customer may get within a number of days."""

    model_config = STRICT
    count: int = Field(gt=0)
    days: int = Field(gt=0)


class RemedyLimit(BaseModel):
    """One kind of remedy the brand offers: who may give how much, and how it is issued."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    agent_max: Decimal = Field(gt=0, alias="max", description="the most an agent gives without "
                               "asking (`max` or `agent_max`)")
    lead_max: Decimal | None = Field(default=None, gt=0, description="the most a lead may "
                                     "approve; above the agent's limit the remedy waits for one")
    unit: str = Field(min_length=1, max_length=32,
                      description="a currency code (EUR) or a thing (meal, pair)")
    per_customer: PerCustomer | None = None
    code: str | None = Field(default=None, max_length=50,
                             description="the code issued with it, {code} the unguessable part: "
                             "RB-{code} (coupons and vouchers get one anyway)")
    valid: Duration | None = Field(default=None, description="how long an issued code holds")
    needs_order: bool = Field(default=False, description="it refunds an order, which must be "
                              "named (refunds always do)")
    says: dict[str, dict[Plural, str]] = Field(
        default={}, description="how an amount of a thing reads, per language and plural form "
        "(CLDR: one, few, many, other), {n} for the number: en: {one: one free meal, other: "
        "'{n} free meals'}")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and "{code}" not in value:
            raise ValueError("code: say where the issued part goes, e.g. 'RB-{code}'")
        return value

    @model_validator(mode="after")
    def _limits(self) -> RemedyLimit:
        if self.lead_max is not None and self.lead_max < self.agent_max:
            raise ValueError(f"lead_max {self.lead_max} is below agent_max {self.agent_max}")
        return self

    @field_validator("says")
    @classmethod
    def _says(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for language, forms in value.items():
            if "other" not in forms:
                raise ValueError(f"says: {language} needs an `other` form (e.g. '{{n}} meals'),"
                                 " used for any number without a form of its own")
        return value


class Goodwill(BaseModel):
    """Remedies beyond duty (on a partly founded or unfounded complaint), counted apart."""

    model_config = STRICT
    per_case: int = Field(default=1, ge=0)
    per_month: int = Field(default=20, ge=0)
