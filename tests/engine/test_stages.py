"""The main stages of a procedure and where an instance stands (engine/runtime/stages.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_kit import World, make_world, ready

from engine.errors import NotFound
from engine.runtime.stages import compute_stages

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
ANNUAL = (BPMN / "annual_title_nomination.bpmn").read_text(encoding="utf-8")


def states(stages: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(s["id"], s["state"]) for s in stages]


def test_the_annual_procedure_in_order_without_its_detour() -> None:
    found = compute_stages(ANNUAL, "annual_title_nomination", {"current": ["propose"]})
    # the supplement only leads back to the appraisal: not a stage until it happens
    assert states(found) == [("propose", "current"), ("receive_appraise", "pending"),
                             ("council_review", "pending"), ("disclosure", "pending"),
                             ("decide", "pending"), ("forward_province", "pending")]
    assert found[0]["name"] == "Lập hồ sơ, tờ trình đề nghị khen thưởng"


def test_a_returned_dossier_shows_its_supplement_and_a_branch_not_taken_as_skipped() -> None:
    trail = {"completed": ["start", "propose", "receive_appraise", "supplement",
                           "council_review"], "current": ["decide"]}
    assert states(compute_stages(ANNUAL, "annual_title_nomination", trail)) == [
        ("propose", "done"), ("receive_appraise", "done"), ("supplement", "done"),
        ("council_review", "done"), ("disclosure", "skipped"), ("decide", "current"),
        ("forward_province", "pending")]


def test_once_finished_what_was_never_reached_is_skipped() -> None:
    trail = {"completed": ["propose", "receive_appraise", "council_review", "decide"]}
    found = compute_stages(ANNUAL, "annual_title_nomination", trail, finished=True)
    assert dict(states(found))["forward_province"] == "skipped"
    assert compute_stages(ANNUAL, "no_such_process", trail) == []


def test_a_branch_the_data_already_rules_out_is_not_a_stage_to_come() -> None:
    from engine.sandbox import SandboxEnvironment

    evaluate = SandboxEnvironment(timeout_s=1.0).evaluate
    trail = {"completed": ["propose", "receive_appraise", "council_review"],
             "current": ["decide"]}

    def with_data(data: dict[str, Any]) -> dict[str, str]:
        return dict(states(compute_stages(ANNUAL, "annual_title_nomination", trail,
                                          data=data, evaluate=evaluate)))

    # a title the office decides itself: the province's stage is not one to come
    assert with_data({"nominated": {"within_office_power": True}})["forward_province"] \
        == "skipped"
    # a provincial title: the province's stage is to come (the default branch is open)
    assert with_data({"nominated": {"within_office_power": False}})["forward_province"] \
        == "pending"
    # before the title is known nothing is ruled out
    assert with_data({})["forward_province"] == "pending"
    assert with_data({})["decide"] == "current"


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    return world


def stages(w: World, instance_id: int, who: str = "admin1") -> list[dict[str, Any]]:
    return list(w.read(w.eng.instance_stages, instance_id, w[who]))


def test_the_engine_gives_an_instances_stages_to_those_who_see_it(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    assert states(stages(w, inst["id"], "sub_a")) == [("propose", "current"),
                                                      ("appraise", "pending")]
    inst = w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})
    inst = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})
    assert states(stages(w, inst["id"])) == [("propose", "done"), ("appraise", "done")]
    with pytest.raises(NotFound):
        stages(w, inst["id"], "sub_b")
