"""The import form of /admin/processes: Camunda 8 and Camunda 7 diagrams are mapped with
what the running system knows (its roles, handlers, forms) and every note is shown on the
draft; a ``.dmn`` file becomes a draft of the decision table named like the file."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import Flask
from test_admin_processes import BASE, REPO_DMN, People, dmn_dir, signed_in, token_of  # noqa: F401

from engine.store.models import AuditEvent, ProcessDraft

ZEEBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="tu_camunda8" name="Từ Camunda 8" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="Thư ký">
      <bpmn:flowNodeRef>ask</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="ask"><bpmn:extensionElements>
      <zeebe:formDefinition formId="decision" />
      <zeebe:assignmentDefinition candidateGroups="secretariat" />
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="check"><bpmn:extensionElements>
      <zeebe:taskDefinition type="check_dossier" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="java" camunda:class="org.example.Mailer"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn" />
    <bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="java" />
    <bpmn:sequenceFlow id="f4" sourceRef="java" targetRef="calc" />
    <bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def upload(client: object, token: str, data: bytes, filename: str) -> object:
    return client.post(f"{BASE}/import",  # type: ignore[attr-defined]
                       data={"csrf_token": token, "file": (BytesIO(data), filename)})


def test_a_camunda_8_diagram_is_mapped_and_every_note_shown(app: Flask, people: People
                                                            ) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/dmn/GK")
    r = upload(admin, token, ZEEBE, "tu_camunda8.bpmn")
    assert r.status_code == 302 and "/admin/processes/drafts/" in r.location
    html = admin.get(r.location).get_data(as_text=True)
    assert "zeebe:formDefinition «decision» → biểu mẫu «decision»." in html
    assert "zeebe:taskDefinition type=«check_dossier» → bộ xử lý (handler) «check_dossier»." \
        in html
    assert "→ làn «Thư ký (secretariat)» (vai trò «secretariat»)." in html
    assert "camunda:class=«org.example.Mailer» là mã Java" in html
    assert "Mã lệnh viết bằng «groovy»" in html and "cần làm lại" in html
    draft = admin.get(r.location + ".xml").get_data(as_text=True)
    assert '<spiffworkflow:serviceTaskOperator id="check_dossier">' in draft
    validated = admin.post(r.location + "/validate", headers={"X-CSRFToken": token}).get_json()
    codes = {(p["element_id"], p["code"]) for p in validated["problems"]}
    assert ("calc", "code.language") in codes and ("java", "handler.missing") in codes
    assert not any(code == "code.rejected" for _e, code in codes)  # not a confusing sandbox error


def test_a_dmn_file_becomes_a_draft_of_its_table(app: Flask, people: People,
                                                 dmn_dir: Path) -> None:  # noqa: F811
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/dmn/GK")
    xml = (REPO_DMN / "GK.dmn").read_bytes()
    r = upload(admin, token, xml, "GK.dmn")
    assert r.status_code == 302 and "/admin/processes/drafts/" in r.location
    page = admin.get(r.location).get_data(as_text=True)
    assert "/static/dist/dmn_editor.js" in page
    assert '<code class="small text-body">GK</code>' in page
    with app.extensions["tdkt"].db.session() as session:
        row = session.query(ProcessDraft).order_by(ProcessDraft.id.desc()).first()
        assert row is not None and (row.kind, row.process_key, row.status) == ("dmn", "GK",
                                                                                "draft")
        event = session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert event is not None and event.event_type == "draft.imported"
    r = admin.post(r.location + "/deploy", headers={"X-CSRFToken": token})
    assert r.status_code == 201 and r.get_json()["deployed_version"] == 1
    bad = upload(admin, token, xml, "bảng mới.dmn")
    assert bad.status_code == 302 and bad.location.endswith(BASE)
    assert "phải là tên bảng quyết định" in admin.get(BASE).get_data(as_text=True)
    other = upload(admin, token, b"just text", "notes.txt")
    assert other.status_code == 302
    assert "Chỉ nhận tệp .bpmn" in admin.get(BASE).get_data(as_text=True)
