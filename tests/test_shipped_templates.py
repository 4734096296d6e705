"""The shipped templates pass the shipped linter: every template of every sample brand, in every
language it serves and for every mood, written for two customers whose complaints are about
different things, has no blocking finding, and the second is no copy of the first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recovery import Engine
from recovery.notices import after_hours
from recovery.replies.lint import Linted
from recovery.signals.about import about

from .conftest import WORKFLOWS, Clock

# Two complaints per language and mood, about different things (a wait, a charge).
COMPLAINTS = {
    "en": {"calm": ("I have been waiting two weeks for my order and nobody answers my emails.",
                    "You charged my card twice for the same order, please check it."),
           "angry": ("Unacceptable!!! Two weeks waiting for my order and NOBODY answers. "
                     "This is ridiculous, I am furious!",
                     "You charged me TWICE?! This is a scam, I am absolutely furious!!!")},
    "cs": {"calm": ("Na objednávku čekám už dva týdny a nikdo mi neodpovídá na e-maily.",
                    "Strhli jste mi z karty platbu dvakrát za stejnou objednávku, prosím o "
                    "kontrolu."),
           "angry": ("To je neuvěřitelné!!! Dva týdny čekám na objednávku a NIKDO se neozve. "
                     "To je k smíchu, jsem naštvaný!",
                     "Strhli jste mi peníze DVAKRÁT?! To je podvod, jsem strašně naštvaný!!!")},
    "pl": {"calm": ("Czekam na zamówienie już dwa tygodnie i nikt nie odpowiada na moje maile.",
                    "Pobraliście opłatę z mojej karty dwa razy za to samo zamówienie, proszę "
                    "to sprawdzić."),
           "angry": ("To skandal!!! Dwa tygodnie czekam na zamówienie i NIKT nie odpowiada. "
                     "To jest żałosne, jestem wściekły!",
                     "Pobraliście pieniądze DWA RAZY?! To oszustwo, jestem wściekły!!!")},
    "hr": {"calm": ("Na narudžbu čekam već dva tjedna i nitko ne odgovara na moje e-mailove.",
                    "Naplatili ste mi karticu dvaput za istu narudžbu, molim provjerite."),
           "angry": ("Ovo je skandal!!! Dva tjedna čekam narudžbu i NITKO se ne javlja. "
                     "Ovo je sramota, bijesan sam!",
                     "Naplatili ste mi DVAPUT?! To je prevara, bijesan sam!!!")},
}
# What the customer is told of the cause, in their language (the resolution says it).
EXPLAINED = {"en": "our warehouse system lost the order for a few days",
             "cs": "náš skladový systém objednávku na pár dní ztratil",
             "pl": "nasz system magazynowy na kilka dni zgubił zamówienie",
             "hr": "naš skladišni sustav izgubio je narudžbu na nekoliko dana"}
ANSWERS = (("acknowledge", "acknowledge"), ("move_private", "move_private"))
AFTER = ("resolution", "follow_up", "follow_up_reminder", "incident_acknowledge")
SATURDAY = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
BRANDS = {"bistro": ("cs", "en"), "eshop": ("hr", "en"), "bikeshare": ("pl", "en")}


@pytest.fixture
def engine(tmp_path: Path, clock: Clock) -> Engine:
    return Engine(f"sqlite:///{tmp_path / 'shipped.db'}", workflows=WORKFLOWS, clock=clock)


def _clean(linted: Linted, what: str) -> None:
    assert not linted.blocking, f"{what}: {[str(f) for f in linted.blocking]}"
    assert all(f.code != "copy-paste" for f in linted.findings), f"{what}: {linted.findings}"


@pytest.mark.parametrize("mood", ["calm", "angry"])
@pytest.mark.parametrize(("brand", "language"),
                         [(b, lang) for b, served in BRANDS.items() for lang in served])
def test_every_shipped_template_passes_the_linter_for_two_customers(
        engine: Engine, clock: Clock, brand: str, language: str, mood: str) -> None:
    assert tuple(engine.flow(brand).settings.languages) == BRANDS[brand]
    by = "eva"
    channel = next(iter(engine.flow(brand).settings.channels))
    clock.now = clock.now.replace(hour=10)  # within business hours, a weekday
    cases = [engine.open_case(brand, channel=channel, author=f"@customer_{n}", text=text)
             for n, text in enumerate(COMPLAINTS[language][mood])]
    for case in cases:
        assert (case.language, case.emotion == "angry") == (language, mood == "angry"), case
    assert [about(case.text, language) for case in cases] == ["wait", "charge"]
    incident = engine.incidents.open(brand, title="warehouse outage", by=by, says={
        code: EXPLAINED[code] for code in BRANDS[brand]})
    engine.incidents.link(incident.id, [case.id for case in cases], by=by)

    def each(template: str, fire: str | None = None, send: bool = True) -> None:
        for case in cases:
            draft = engine.draft(case.id, template=template, by=by)
            _clean(draft.linted, f"{brand} {language} {mood} {template} (case {case.id}): "
                                 f"{draft.text!r}")
            assert draft.language == language
            if send:
                engine.send(draft, fire=fire)
            clock.advance(minutes=5)

    for template, fire in ANSWERS[:1]:
        each(template, fire)
    for case in cases:
        engine.fire(case.id, "investigate", by=by)
        engine.record_finding(case.id, "founded", root_cause="the depot lost the parcel",
                              explanation=EXPLAINED[language], by=by)
    for template, fire in ANSWERS[1:]:
        each(template, fire)
    kind = next(iter(engine.flow(brand).settings.remedies))
    for case in cases:
        engine.offer_remedy(case.id, kind, 1, by=by,
                            order=f"ORD-{case.id}" if kind == "refund" else None)
    each("remedy_offer")
    for template in AFTER:
        each(template, send=False)
    flow = engine.flow(brand)
    notices = [after_hours(flow, channel, case.author, SATURDAY, language, case.text)
               for case in cases]
    assert notices[0] and notices[1] and notices[0]["text"] != notices[1]["text"]
    for case, notice in zip(cases, notices, strict=True):
        assert notice and notice["language"] == language
        _clean(engine.lint(brand, channel, notice["text"], language=language,
                           customer=case.author), f"{brand} {language} after_hours")
    for kind, context in (("hello", {"until": SATURDAY}),
                          ("goodbye", {"closed_at": SATURDAY,
                                       "back_at": SATURDAY + timedelta(days=2)})):
        greeting = flow.render(kind, channel, [language], **context)
        assert greeting.language == language
        _clean(engine.lint(brand, channel, greeting.text, language=language),
               f"{brand} {language} {kind}: {greeting.text!r}")
    for post in engine.incidents.posts(incident.id):
        assert not [f for f in post.findings or [] if f["severity"] == "blocking"], post


def test_a_customer_in_a_language_the_brand_does_not_serve_is_answered_in_one_it_does(
        engine: Engine, clock: Clock) -> None:
    clock.now = SATURDAY  # the team is away: the after-hours notice goes out, in English
    case = engine.open_case("bistro", channel="twitter", author="@hans", text=(
        "Die Suppe war kalt und der Kellner war sehr unfreundlich zu uns."))
    assert case.language == "de" and "unserved_language" in (case.flags or [])
    notice = after_hours(engine.flow("bistro"), "twitter", case.author, SATURDAY, "de",
                         case.text)
    assert notice is not None and notice["language"] == "cs"  # the brand's first language
    draft = engine.draft(case.id, by="eva", text="So sorry about the cold soup, Hans: a fresh "
                         "bowl is on us at your next visit, and we will talk to our staff.")
    assert "language-mix" not in [finding.code for finding in draft.linted.findings]
