"""After the council: the chair's decision steps take numbers from the office's register —
two dossiers decided at the same moment get consecutive numbers, a failed step gives its
number back, and the register starts again at 01 each year. Full steps, with the documents
rendered (the web app's engine), on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from nomination_kit import Office, appraise, council, make_office, only_task, proposal
from sqlalchemy import select

from engine.errors import InvalidData
from workflows import build_engine
from workflows.documents.generate import templates_dir
from workflows.handlers import registry
from workflows.models import DecisionCounter

APPROVE = {"decision": "approve", "comment": ""}


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    made.eng = build_engine(files_dir=made.files)  # decisions render their documents
    monkeypatch.setattr(registry, "office_today", lambda: date(2025, 12, 26))
    yield made
    made.db.dispose()


def at_decision(office: Office, subject: str) -> dict[str, Any]:
    """A dossier voted by the council, waiting for the chair's decision."""
    inst = office.walk(office.start(), [("propose", "sub", proposal(subject, award="LDTT")),
                                        appraise("approve"), council(subject)])
    only_task(inst, "decide")
    return inst


def together(office: Office, jobs: list[Callable[[Any], Any]]) -> list[Any]:
    """Each job in its own thread and transaction, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        with office.db.write_session() as s:
            barrier.wait()
            try:
                results[i] = jobs[i](s)
            except Exception as exc:  # kept to assert on
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def decide(office: Office, inst: dict[str, Any]) -> Callable[[Any], Any]:
    task = only_task(inst, "decide")
    return lambda s: office.eng.complete_task(s, task["id"], office.actors["chair"], APPROVE)


def counter(office: Office) -> dict[int, int]:
    with office.db.session() as s:
        return {r.year: r.last_number for r in s.scalars(select(DecisionCounter)).all()}


def test_decisions_at_the_same_moment_get_consecutive_numbers_and_none_is_reused(
        office: Office) -> None:
    first, second, third, fourth = (at_decision(office, code)
                                    for code in ("NV001", "NV002", "NV004", "NV005"))
    done = together(office, [decide(office, first), decide(office, second)])
    assert not [r for r in done if isinstance(r, Exception)], done
    assert sorted(r["data"]["decision_no"] for r in done) == ["01/QĐ-VP", "02/QĐ-VP"]
    # A step that fails (its template does not render) gives its number back.
    folder = templates_dir(office.files)
    folder.mkdir(parents=True)
    (folder / "quyet_dinh.html").write_text(
        "{% extends '_van_ban.html' %}{% block body %}{{ khong_co.x }}{% endblock %}")
    with pytest.raises(InvalidData) as failed:
        office.complete(only_task(third, "decide"), "chair", APPROVE)
    assert failed.value.code == "document.render_failed"
    assert counter(office) == {2025: 2}
    (folder / "quyet_dinh.html").unlink()
    done = together(office, [decide(office, third), decide(office, fourth)])
    assert not [r for r in done if isinstance(r, Exception)], done
    assert sorted(r["data"]["decision_no"] for r in done) == ["03/QĐ-VP", "04/QĐ-VP"]
    assert counter(office) == {2025: 4}


def test_the_register_starts_again_at_01_each_year(office: Office,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    last_year, this_year = at_decision(office, "NV001"), at_decision(office, "NV002")
    december = office.complete(only_task(last_year, "decide"), "chair", APPROVE)
    assert (december["data"]["decision_no"], december["data"]["decision_date"]) == \
        ("01/QĐ-VP", "2025-12-26")
    monkeypatch.setattr(registry, "office_today", lambda: date(2026, 1, 2))
    january = office.complete(only_task(this_year, "decide"), "chair", APPROVE)
    assert (january["data"]["decision_no"], january["data"]["decision_date"]) == \
        ("01/QĐ-VP", "2026-01-02")
    assert counter(office) == {2025: 1, 2026: 1}
