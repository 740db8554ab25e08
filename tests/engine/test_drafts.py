"""Drafts (bản nháp): save, update, validate, deploy as a new immutable version while the
instances of the old one keep running to their end; DMN tables versioned the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_bytes
from engine_kit import World, make_world, ready
from sqlalchemy import select

from engine import drafts
from engine.errors import BpmnInvalid, Conflict, EngineError, InvalidData, NotFound
from engine.store.models import AuditEvent, ProcessDraft

TWO_LANE = fixture_bytes("two_lane.bpmn")
RENAMED = TWO_LANE.replace('name="Thẩm định"'.encode(), 'name="Thẩm định lần hai"'.encode())
REPO_DMN = Path(__file__).resolve().parents[2] / "bpmn" / "dmn"


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def audit_types(w: World) -> list[str]:
    return list(w.read(lambda s: s.scalars(select(AuditEvent.event_type)
                                           .order_by(AuditEvent.id)).all()))


def save(w: World, xml: bytes, **kwargs: Any) -> dict[str, Any]:
    return dict(w.write(drafts.save_draft, w["admin1"], xml, **kwargs))


def test_save_update_validate_and_deploy_a_draft(w: World) -> None:
    w.deploy(TWO_LANE)
    draft = save(w, TWO_LANE.replace(b'camunda:formKey="proposal"', b'camunda:formKey="x"'),
                 base_version_id=1)
    assert (draft["key"], draft["status"], draft["name"]) == ("two_lane", "draft", "Two lanes")
    found = w.read(drafts.validate_draft, w.eng, draft["id"])
    assert [(p["element_id"], p["code"]) for p in found if p["severity"] == "error"] == [
        ("propose", "form.unknown")]
    with pytest.raises(BpmnInvalid):
        w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    assert w.read(drafts.get_draft, draft["id"]).status == "draft"
    save(w, RENAMED, draft_id=draft["id"])
    done = w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    assert (done["deployed_version"], done["status"], done["created"]) == (2, "deployed", True)
    assert audit_types(w)[-4:] == ["draft.saved", "draft.saved", "process.deployed",
                                   "draft.deployed"]
    with pytest.raises(Conflict):
        save(w, RENAMED, draft_id=draft["id"])  # a deployed draft is frozen
    models = w.read(drafts.list_models)
    assert [v["version"] for v in models[0]["versions"]] == [2, 1]
    assert models[0]["drafts"] == []


def test_a_draft_keeps_its_process_key_and_must_be_readable(w: World) -> None:
    draft = save(w, TWO_LANE)
    other = TWO_LANE.replace(b'id="two_lane"', b'id="three_lane"').replace(
        b'processRef="two_lane"', b'processRef="three_lane"')
    with pytest.raises(InvalidData) as info:
        save(w, other, draft_id=draft["id"])
    assert info.value.code == "draft.key_changed"
    with pytest.raises(BpmnInvalid):
        save(w, b"<not xml")
    with pytest.raises(NotFound):
        save(w, TWO_LANE, draft_id=999)
    w.write(drafts.delete_draft, w["admin1"], draft["id"])
    assert w.read(lambda s: s.get(ProcessDraft, draft["id"])) is None


def test_an_instance_on_version_one_completes_after_version_two_is_deployed(w: World) -> None:
    w.deploy(TWO_LANE)
    old = w.start("two_lane", "sub_a")
    old = w.complete(ready(old, "propose")["id"], "sub_a", {"title": "Một"})
    draft = save(w, RENAMED)
    w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    new = w.start("two_lane", "sub_a")
    assert (old["version"], new["version"]) == (1, 2)
    step = ready(old, "appraise")
    old = w.complete(step["id"], "sec1", {"decision": "approve"})
    assert (old["status"], old["version"]) == ("completed", 1)
    new = w.complete(ready(new, "propose")["id"], "sub_a", {"title": "Hai"})
    assert ready(new, "appraise")["title"] == "Thẩm định lần hai"
    counts = {v["version"]: (v["running"], v["completed"])
              for v in w.read(drafts.list_models)[0]["versions"]}
    assert counts == {1: (0, 1), 2: (1, 0)}


def test_dmn_draft_deploys_as_versions_the_newest_is_current_and_the_file_stays(
        w: World, tmp_path: Path) -> None:
    checked: list[str] = []
    target = drafts.DmnTarget(tmp_path / "dmn", check=lambda name, xml: checked.append(name))
    target.write("GK", (REPO_DMN / "GK.dmn").read_bytes())
    original = target.path("GK").read_text(encoding="utf-8")
    assert w.read(drafts.dmn_xml, target, "GK") == original  # never deployed: the file
    changed = original.replace("<description>", "<description>v1 ", 1).encode()
    first = save(w, changed, kind="dmn", dmn_name="GK")
    done = w.write(drafts.deploy_draft, w.eng, w["admin1"], first["id"], target)
    assert (done["deployed_version"], done["key"]) == (1, "GK") and checked == ["GK"]
    assert target.path("GK").read_text(encoding="utf-8") == original  # files are not rewritten
    assert w.read(drafts.dmn_xml, target, "GK") == changed.decode()
    second = save(w, changed.replace(b"v1 ", b"v2 "), kind="dmn", dmn_name="GK")
    w.write(drafts.deploy_draft, w.eng, w["admin1"], second["id"], target)
    listed = w.read(drafts.list_decisions, target)
    assert [v["deployed_version"] for v in listed[0]["versions"]] == [2, 1]
    assert w.read(drafts.dmn_xml, target, "GK", 1) == changed.decode()
    assert "v2 " in w.read(drafts.dmn_xml, target, "GK")
    assert audit_types(w)[-1] == "dmn.deployed"


def test_a_dmn_draft_the_loader_refuses_is_not_deployed(w: World, tmp_path: Path) -> None:
    def refuse(name: str, xml: bytes) -> None:
        raise EngineError("Bảng điều kiện GK.dmn không hợp lệ: cần hitPolicy COLLECT",
                          code="eligibility.dmn_invalid")
    target = drafts.DmnTarget(tmp_path / "dmn", check=refuse)
    draft = save(w, (REPO_DMN / "GK.dmn").read_bytes(), kind="dmn", dmn_name="GK")
    with pytest.raises(BpmnInvalid) as info:
        w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"], target)
    assert info.value.code == "dmn.invalid" and "COLLECT" in info.value.message
    assert w.read(drafts.list_decisions, target)[0]["versions"] == []


def test_a_broken_dmn_draft_is_refused_and_the_file_kept(w: World, tmp_path: Path) -> None:
    target = drafts.DmnTarget(tmp_path / "dmn")
    target.write("GK", (REPO_DMN / "GK.dmn").read_bytes())
    before = target.path("GK").read_bytes()
    broken = before.replace(b"<decisionTable", b"<decisionTableX", 1).replace(
        b"</decisionTable>", b"</decisionTableX>", 1)
    draft = save(w, broken, kind="dmn", dmn_name="GK")
    assert w.read(drafts.validate_draft, w.eng, draft["id"])
    with pytest.raises(BpmnInvalid) as info:
        w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"], target)
    assert info.value.code == "dmn.invalid"
    assert target.path("GK").read_bytes() == before
    with pytest.raises(InvalidData):
        target.path("../etc/passwd")


def test_an_imported_camunda_diagram_is_a_draft_that_deploys_once_completed(w: World) -> None:
    from test_diff_and_import import CAMUNDA

    w.eng.handlers.register("notify", lambda call: {"ok": True})
    draft = w.write(drafts.import_file, w["admin1"], CAMUNDA, "camunda.bpmn")
    assert draft["notes"] and draft["filename"] == "camunda.bpmn"
    assert audit_types(w)[-1] == "draft.imported"
    found = w.read(drafts.validate_draft, w.eng, draft["id"])
    assert [(p["element_id"], p["code"]) for p in found if p["severity"] == "error"] == [
        ("java", "handler.missing")]
    xml = w.read(drafts.get_draft, draft["id"]).xml.replace(
        '<bpmn:serviceTask id="java"/>',
        '<bpmn:serviceTask id="java"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="notify"><spiffworkflow:parameters/>'
        '</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>')
    save(w, xml.encode(), draft_id=draft["id"])
    done = w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    assert (done["key"], done["deployed_version"]) == ("from_camunda", 1)


def test_a_draft_that_drops_a_task_deadline_gets_a_warning_on_that_task(w: World) -> None:
    w.deploy(TWO_LANE)  # "appraise" has dueWorkingDays = 10
    dropped = TWO_LANE.replace(
        b'<spiffworkflow:property name="dueWorkingDays" value="10" />', b"")
    assert dropped != TWO_LANE
    draft = save(w, dropped, base_version_id=1)
    found = w.read(drafts.validate_draft, w.eng, draft["id"])
    warned = [p for p in found if p["code"] == "task.deadline_removed"]
    assert [(p["element_id"], p["severity"]) for p in warned] == [("appraise", "warning")]
    assert "«10»" in warned[0]["message"] and "phiên bản 1" in warned[0]["message"]

    changed = TWO_LANE.replace(b'value="10"', b'value="setting:appraisal_working_days"')
    save(w, changed, draft_id=draft["id"])  # another deadline: no warning
    assert not [p for p in w.read(drafts.validate_draft, w.eng, draft["id"])
                if p["code"] == "task.deadline_removed"]
    unbased = save(w, dropped)  # nothing to compare with
    assert not [p for p in w.read(drafts.validate_draft, w.eng, unbased["id"])
                if p["code"] == "task.deadline_removed"]
    done = w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    assert done["created"]  # a warning does not stop the deploy
