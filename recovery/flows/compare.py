"""Where a brand's policy is looser than the flow it extends: a slower SLA target, a higher
remedy limit, a larger goodwill budget, a priority rule that needs more reach, an escalation
dropped. `flow show` lists them, so a policy never loosens by accident.
"""

from __future__ import annotations

from recovery.clock import format_duration
from recovery.flows.priority import REACH
from recovery.flows.schema import BrandFile

LEVELS = ("urgent", "high", "default")


def looser(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    """Every target, limit and rule of `brand` looser than `parent`'s (called `label`), one
    line each."""
    return [line for check in (_targets, _remedies, _goodwill, _priority, _escalations)
            for line in check(brand, parent, label)]


def _targets(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for channel, policy in brand.channels.items():
        above = parent.channels.get(channel)
        if above is None:
            continue
        if policy.clock == "calendar" and above.clock == "business":
            found.append(f"{channel}: counts on the calendar clock, {label} on the "
                         "business clock")
        for name in ("first_response", "resolution"):
            mine, theirs = getattr(policy, name), getattr(above, name)
            for level in LEVELS:
                if mine.of(level) > theirs.of(level):
                    shown = "other priorities" if level == "default" else level
                    found.append(f"{channel} {name.replace('_', ' ')} ({shown}): "
                                 f"{format_duration(mine.of(level))}, "
                                 f"{label}: {format_duration(theirs.of(level))}")
    return found


def _remedies(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for kind, limit in brand.remedies.items():
        above = parent.remedies.get(kind)
        if above is None or limit.unit != above.unit:
            continue
        if limit.agent_max > above.agent_max:
            found.append(f"remedy {kind}: an agent gives up to {limit.agent_max} {limit.unit}, "
                         f"{label}: {above.agent_max}")
        if (limit.lead_max or 0) > (above.lead_max or above.agent_max):
            found.append(f"remedy {kind}: a lead approves up to {limit.lead_max} {limit.unit}, "
                         f"{label}: {above.lead_max or above.agent_max}")
        if above.per_customer and (limit.per_customer is None or (
                limit.per_customer.count / limit.per_customer.days
                > above.per_customer.count / above.per_customer.days)):
            found.append(f"remedy {kind}: more per customer than {label}'s "
                         f"{above.per_customer.count} in {above.per_customer.days} days")
    return found


def _goodwill(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    return [f"goodwill {name.replace('_', ' ')}: {mine}, {label}: {theirs}"
            for name in ("per_case", "per_month")
            if (mine := getattr(brand.goodwill, name)) > (theirs := getattr(parent.goodwill,
                                                                             name))]


def _priority(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for level, above in parent.priority.items():
        rule = brand.priority.get(level)
        if rule is None:
            found.append(f"priority {level}: no rule, {label} has one")
            continue
        for name in REACH:
            mine, theirs = getattr(rule, name), getattr(above, name)
            if theirs is not None and (mine is None or mine > theirs):
                found.append(f"priority {level}: {name} "
                             f"{'not counted' if mine is None else f'at {mine:,}'}, "
                             f"{label}: {theirs:,}")
        for mood in above.mood:
            if mood not in rule.mood:
                found.append(f"priority {level}: mood {mood} not counted, {label} "
                             "counts it")
    return found


def _escalations(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for clock, steps in parent.escalations.items():
        for step, above in steps.items():
            mine = brand.escalations.get(clock, {}).get(step)
            where = f"{clock.replace('_', ' ')} {step}"
            if mine is None:
                found.append(f"{where}: does nothing, {label} escalates")
                continue
            if (above.priority == "urgent" and mine.priority != "urgent") or (
                    above.priority == "high" and mine.priority is None):
                found.append(f"{where}: raises to {mine.priority or 'nothing'}, "
                             f"{label}: to {above.priority}")
            dropped = [who for who in above.notify if who not in mine.notify]
            if dropped:
                found.append(f"{where}: does not tell {', '.join(dropped)}, {label} "
                             "does")
    return found
