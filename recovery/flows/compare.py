"""Where a brand's policy is looser than the flow it extends: a slower SLA target, a higher
remedy limit, a larger goodwill budget, a priority rule that needs more reach, an escalation
dropped. `flow show` lists them, so a policy never loosens by accident.
"""

from __future__ import annotations

from recovery.flows.priority import REACH
from recovery.flows.schema import BrandFile
from recovery.formats import clock_span

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
        if policy.clock != above.clock:  # business hours are looser than round the clock
            if policy.clock == "business":
                found.append(f"{channel}: counts business hours only; {label} flow: round "
                             "the clock")
            continue  # targets on different clocks do not compare
        business = policy.clock == "business"
        for name in ("first_response", "resolution"):
            mine, theirs = getattr(policy, name), getattr(above, name)
            for level in LEVELS:
                if mine.of(level) > theirs.of(level):
                    found.append(f"{channel} {name.replace('_', ' ')} ({level} priority): "
                                 f"{clock_span(mine.of(level), business)}; {label} flow: "
                                 f"{clock_span(theirs.of(level), business)}")
    return found


def _remedies(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for kind, limit in brand.remedies.items():
        above = parent.remedies.get(kind)
        if above is None or limit.unit != above.unit:
            continue
        if limit.agent_max > above.agent_max:
            found.append(f"remedy {kind}: an agent gives up to {limit.agent_max} {limit.unit}; "
                         f"{label} flow: {above.agent_max}")
        if (limit.lead_max or 0) > (above.lead_max or above.agent_max):
            found.append(f"remedy {kind}: a lead approves up to {limit.lead_max} {limit.unit}; "
                         f"{label} flow: {above.lead_max or above.agent_max}")
        if above.per_customer and (limit.per_customer is None or (
                limit.per_customer.count / limit.per_customer.days
                > above.per_customer.count / above.per_customer.days)):
            found.append(f"remedy {kind}: more per customer; {label} flow: "
                         f"{above.per_customer.count} in {above.per_customer.days} days")
    return found


def _goodwill(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    return [f"goodwill remedies {said}: {mine}; {label} flow: {theirs}"
            for name, said in (("per_case", "a case"), ("per_month", "a month"))
            if (mine := getattr(brand.goodwill, name)) > (theirs := getattr(parent.goodwill,
                                                                             name))]


def _priority(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for level, above in parent.priority.items():
        rule = brand.priority.get(level)
        if rule is None:
            found.append(f"priority {level}: no rule; {label} flow: one")
            continue
        for name in REACH:
            mine, theirs = getattr(rule, name), getattr(above, name)
            if theirs is not None and (mine is None or mine > theirs):
                found.append(f"priority {level}: {name} "
                             f"{'not counted' if mine is None else f'at {mine:,}'}; "
                             f"{label} flow: {theirs:,}")
        for mood in above.mood:
            if mood not in rule.mood:
                found.append(f"priority {level}: mood {mood} not counted; {label} flow: "
                             "counted")
    return found


def _escalations(brand: BrandFile, parent: BrandFile, label: str) -> list[str]:
    found = []
    for clock, steps in parent.escalations.items():
        for step, above in steps.items():
            mine = brand.escalations.get(clock, {}).get(step)
            where = f"{clock.replace('_', ' ')} {step}"
            if mine is None:
                found.append(f"{where}: does nothing; {label} flow: escalates")
                continue
            if (above.priority == "urgent" and mine.priority != "urgent") or (
                    above.priority == "high" and mine.priority is None):
                found.append(f"{where}: raises to {mine.priority or 'nothing'}; "
                             f"{label} flow: to {above.priority}")
            dropped = [who for who in above.notify if who not in mine.notify]
            if dropped:
                found.append(f"{where}: does not tell {', '.join(dropped)}; {label} flow: "
                             "does")
    return found
