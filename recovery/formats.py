"""How numbers, money, remedy amounts and times are written for people, one way each wherever
they are read: the command line, the replies, the care report and the handbook.

Money and numbers are written by `babel` for a locale (the brand's: `locale:` in its flow file,
else its first language in the country of its holidays): `€39.90` in English, `39,90 €` in
Czech. An amount is plural-formed on the number as it is shown, so a stored 1.00 is "one free
meal" and "jedno jídlo zdarma", 2 "2 jídla", 2.5 as CLDR says. A time is the brand's local
time to the minute with its offset: `2026-12-01 10:05+01:00`. A duration says which clock it
is on: "24 business hours" (the team's open hours only), "3 working days", "6 days 4 hours"
(round the clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, format_percent

PERCENT = "percent"
"""The unit of a remedy given as a share of a price."""
TEAM_LANGUAGE = "en"
"""The language the team reads: the CLI, errors, the handbook and the report."""


@cache
def locale_of(language: str, country: str | None = None) -> str:
    """The locale of `language` as written in `country` (`cs_CZ`), where babel knows it; else
    the language's own (`cs`)."""
    if country:
        try:
            return str(Locale.parse(f"{language}_{country.upper()}"))
        except (UnknownLocaleError, ValueError):
            pass
    return language


def is_currency(unit: str) -> bool:
    """Whether a remedy's unit is money: an ISO 4217 code (EUR, PLN)."""
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def shown(value: Decimal | float | int | str) -> Decimal:
    """A number as it is shown: whole when it is whole (1.00 is 1), else without trailing
    zeros (2.50 is 2.5)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.normalize()


def number(value: Decimal | float | int | str, locale: str) -> str:
    """A number written for `locale` (`2,5` in Czech)."""
    return format_decimal(shown(value), locale=locale)


def money(value: Decimal | float | int | str, currency: str, locale: str) -> str:
    """An amount of money written for `locale` (`€39.90`, `39,90 €`, `400,00 zł`)."""
    return format_currency(Decimal(str(value)), currency, locale=locale)


def percent(value: Decimal | float | int | str, locale: str) -> str:
    """A percentage written for `locale` (`20%`, `20 %`)."""
    return format_percent(shown(value) / 100, locale=locale)


def amount(value: Decimal | float | int | str, unit: str, locale: str,
           says: Mapping[str, Mapping[Any, str]] | None = None) -> str:
    """A remedy's amount for a reader of `locale`: money for a currency code, a percentage for
    `percent`, the brand's own words where it declares them for the language (`says`, chosen
    by the plural form of the number as shown: "one free meal", "2 jídla zdarma"), else the
    number and the unit ("2 ride pass")."""
    if is_currency(unit):
        return money(value, unit, locale)
    if unit == PERCENT:
        return percent(value, locale)
    figure = shown(value)
    written = format_decimal(figure, locale=locale)
    forms = (says or {}).get(Locale.parse(locale).language)
    if forms:
        form = Locale.parse(locale).plural_form(figure)
        return str(forms.get(form, forms.get("other", "{n}"))).replace("{n}", written)
    return f"{written} {unit}"


def stamp(when: datetime, zone: str) -> str:
    """A time as a brand's team reads it: in the brand's zone, to the minute, with its offset
    (`2026-12-01 10:05+01:00`)."""
    return when.astimezone(ZoneInfo(zone)).isoformat(sep=" ", timespec="minutes")


_SIZES = (("day", 86_400), ("hour", 3_600), ("minute", 60))


def _counted(seconds: int, units: tuple[tuple[str, int], ...], most: int = 2) -> list[str]:
    parts = []
    for unit, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return parts[:most]


def span(delta: timedelta) -> str:
    """A stretch of time round the clock, in its two largest units, to the minute: "1 day",
    "6 days 4 hours", "45 minutes"."""
    return " ".join(_counted(int(abs(delta).total_seconds()), _SIZES)) or "0 minutes"


def business_span(delta: timedelta) -> str:
    """A stretch of the team's open hours, in hours and minutes (a day of open hours differs
    from day to day; from ten hours on, whole hours): "24 business hours", "2 business hours
    15 minutes"."""
    seconds = int(abs(delta).total_seconds())
    parts = _counted(seconds, _SIZES[1:], 1 if seconds >= 10 * 3600 else 2)
    if not parts:
        return "0 business minutes"
    count, unit = parts[0].split(" ", 1)
    return " ".join([f"{count} business {unit}", *parts[1:]])


def clock_span(delta: timedelta, business: bool) -> str:
    """A stretch on an SLA clock: business time or round-the-clock time, saying which."""
    return business_span(delta) if business else span(delta)


def working_days(days: int) -> str:
    """Whole working days: "1 working day", "3 working days"."""
    return f"{days} working day{'' if days == 1 else 's'}"


def time_left(left: timedelta, business: bool, late: timedelta | None = None) -> str:
    """What is left before a clock's target, or how overdue it is: "3 business hours left",
    "overdue 27 business hours (6 days)" (`late`: the time round the clock since it was due,
    said beside business time), "overdue 2 days 4 hours"."""
    if left > timedelta(0):
        return f"{clock_span(left, business)} left"
    said = f"overdue {clock_span(-left, business)}"
    if business and late is not None and late > timedelta(0):
        said += f" ({span(late)})"
    return said
