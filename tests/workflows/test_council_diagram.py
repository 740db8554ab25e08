"""bpmn/council_review.bpmn: drawn for the modeler, and one meeting for several instances
of several units, each instance going on along its own branch (all, some or none passed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from council_kit import open_meeting, paper_close
from diagram_kit import diagram_problems
from nomination_kit import COUNCIL_ENDS, Office, appraise, make_office, proposal

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "council_review.bpmn"


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def test_diagram_is_complete_for_the_modeler() -> None:
    """Lanes, shapes, edges, named and conditioned gateway flows, nothing overlapping."""
    assert diagram_problems(BPMN) == []


def test_one_meeting_many_instances_each_on_its_own_branch(office: Office) -> None:
    def to_council(who: str, *subjects: str) -> int:
        inst = office.walk(office.start(who), [("propose", who, proposal(*subjects)),
                                               appraise("approve")])
        assert inst["tasks"] == []
        return int(inst["id"])

    every, some, none = (to_council("sub", "NV001"), to_council("sub", "NV002", "NV005"),
                         to_council("sub_other", "NV101"))
    meeting = open_meeting(office.db, office.actors["sec"], present=8)  # the whole pool
    closed = paper_close(office.db, office.eng, office.actors["sec"], meeting, {
        "NV001": (8, 0, 0), "NV002": (6, 2, 0), "NV005": (2, 6, 0), "NV101": (4, 4, 0)},
        office.files)
    assert sorted(d["instance_id"] for d in closed["deliveries"]) == sorted([every, some, none])
    assert {d["status"] for d in closed["deliveries"]} == {"delivered"}
    expected = {every: ("end_all_passed", "decide"), some: ("end_partly_passed", "decide"),
                none: ("end_none_passed", None)}
    for instance_id, (end, task) in expected.items():
        assert office.ends_reached(instance_id, COUNCIL_ENDS) == {end}
        inst = office.get(instance_id)
        assert [t["name"] for t in inst["tasks"]] == ([task] if task else [])
    assert office.get(none)["status"] == "completed"  # 4 of 8 is a tie: not more than half
    assert office.statuses(some) == {"NV002": "voted", "NV005": "not_approved"}
