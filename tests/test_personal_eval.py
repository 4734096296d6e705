"""Recall and precision of personal-data detection on a labelled set (tests/data): what a public
reply gives away about the customer is found, the brand's own numbers and ordinary numbers
are not."""

from __future__ import annotations

from pathlib import Path

import yaml

from recovery.signals.personal import Owned, e164, find_personal, linear

LABELLED = yaml.safe_load((Path(__file__).parent / "data" / "personal_eval.yaml").read_text())


def _found(item: dict[str, object]) -> set[str]:
    regions = tuple(item.get("regions", ()))  # type: ignore[arg-type]
    own = frozenset(filter(None, (e164(str(n), regions) for n in item.get("own", ()))))  # type: ignore[attr-defined]
    owned = Owned(regions, own, frozenset(item.get("domains", ())),  # type: ignore[arg-type]
                  linear(str(item["order"])) if "order" in item else None)
    names = tuple(item.get("names", ()))  # type: ignore[arg-type]
    return {found.kind for found in find_personal(str(item["text"]), owned, names)}


def test_personal_data_is_found_and_nothing_else() -> None:
    positives = [item for item in LABELLED if item["kinds"]]
    missed = [(item["text"], item["kinds"], sorted(_found(item))) for item in positives
              if not set(item["kinds"]) <= _found(item)]
    false = [(item["text"], sorted(_found(item))) for item in LABELLED
             if not item["kinds"] and _found(item)]
    recall = 1 - len(missed) / len(positives)
    assert len(positives) >= 20 and recall >= 0.95, (recall, missed)
    assert not false, false


def test_the_after_hours_notice_does_not_publish_an_address_used_as_a_handle(
        tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from recovery import Engine
    from tests.conftest import WORKFLOWS

    night = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    engine = Engine(f"sqlite:///{tmp_path / 'n.db'}", workflows=WORKFLOWS, clock=lambda: night)
    for author, shown in (("ivana.horvat@gmail.com", False), ("@ivana_h", True)):
        case = engine.open_case("eshop", channel="email", author=author,
                                text="My parcel is late again, where is it?")
        [notice] = [e for e in engine.history(case.id) if e.trigger == "notice"]
        text = str((notice.payload or {})["text"])
        assert (author in text) is shown, text
        assert not find_personal(text, Owned())
    engine.close()


def test_an_after_hours_notice_that_fails_the_reply_checks_is_withheld(tmp_path: Path) -> None:
    import shutil
    from datetime import UTC, datetime

    from recovery import Engine
    from tests.conftest import WORKFLOWS

    folder = tmp_path / "w"
    shutil.copytree(WORKFLOWS, folder)
    template = folder / "bistro" / "templates" / "en" / "after_hours.j2"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("Hi {{ customer.handle }}! " + "We are away right now. " * 14)
    night = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    engine = Engine(f"sqlite:///{tmp_path / 'n.db'}", workflows=folder, clock=lambda: night)
    case = engine.open_case("bistro", channel="twitter", author="@jana",
                            text="Cold soup again, second time this month")
    [opened] = engine.history(case.id)  # no notice: it would not fit a tweet
    assert (opened.payload or {})["after_hours_withheld"] == ["too-long"]
    fine = engine.open_case("bistro", channel="instagram", author="@petr",
                            text="Cold soup again, second time this month")
    notice = engine.history(fine.id)[1]
    assert notice.trigger == "notice" and (notice.payload or {})["findings"] is not None
    engine.close()
