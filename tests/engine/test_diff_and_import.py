"""The diff of two versions (engine/specs/diff.py) and the import of diagrams drawn in
Camunda Modeler or bpmn.io (engine/specs/importing.py)."""

from __future__ import annotations

from typing import Any

from conftest import fixture_bytes

from engine.specs.diff import diff
from engine.specs.import_rules import ImportContext
from engine.specs.importing import import_diagram, juel_to_python

TWO_LANE = fixture_bytes("two_lane.bpmn").decode()


def change(result: dict[str, Any], ident: str) -> dict[str, Any]:
    found = [c for c in result["changes"] if c["id"] == ident]
    assert len(found) == 1, result
    return found[0]


def test_identical_versions_have_no_change() -> None:
    assert diff(TWO_LANE, TWO_LANE) == {"changes": [],
                                        "counts": {"added": 0, "removed": 0, "changed": 0}}


def test_name_condition_lane_and_properties_changes() -> None:
    new = (TWO_LANE.replace('name="Thẩm định"', 'name="Thẩm định hồ sơ"')
           .replace('decision == "approve"', 'decision in ("approve", "ok")')
           .replace('<bpmn:flowNodeRef>calc</bpmn:flowNodeRef>', '')
           .replace('<bpmn:flowNodeRef>propose</bpmn:flowNodeRef>',
                    '<bpmn:flowNodeRef>propose</bpmn:flowNodeRef>'
                    '<bpmn:flowNodeRef>calc</bpmn:flowNodeRef>')
           .replace('value="10"', 'value="setting:appraisal_days"'))
    result = diff(TWO_LANE, new)
    appraise = change(result, "appraise")
    assert appraise["status"] == "changed"
    assert [(f["field"], f["old"], f["new"]) for f in appraise["fields"]] == [
        ("name", "Thẩm định", "Thẩm định hồ sơ"),
        ("properties", {"dueWorkingDays": "10"}, {"dueWorkingDays": "setting:appraisal_days"})]
    assert change(result, "f5")["fields"] == [
        {"field": "condition", "old": 'decision == "approve"',
         "new": 'decision in ("approve", "ok")'}]
    assert change(result, "calc")["fields"] == [
        {"field": "lane", "old": "Phòng TCHCQT (secretariat)", "new": "Submitter"}]
    assert result["counts"] == {"added": 0, "removed": 0, "changed": 3}


def test_added_removed_and_rewired_elements() -> None:
    new = (TWO_LANE.replace('<bpmn:scriptTask id="calc">', '<bpmn:serviceTask id="calc">')
           .replace('total = 1 + 2</bpmn:script></bpmn:scriptTask>',
                    '</bpmn:script></bpmn:serviceTask>')
           .replace('<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="propose" />',
                    '<bpmn:manualTask id="note" name="Ghi chú" />'
                    '<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="note" />'
                    '<bpmn:sequenceFlow id="f7" sourceRef="note" targetRef="propose" />'))
    result = diff(TWO_LANE, new)
    assert (change(result, "note")["status"], change(result, "f7")["status"]) == (
        "added", "added")
    calc = change(result, "calc")
    assert [f["field"] for f in calc["fields"]] == ["type", "script"]
    assert change(result, "f4")["fields"] == [
        {"field": "flows", "old": {"source": "gw", "target": "propose"},
         "new": {"source": "gw", "target": "note"}}]
    back = diff(new, TWO_LANE)
    assert {c["id"] for c in back["changes"] if c["status"] == "removed"} == {"note", "f7"}


CAMUNDA = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="from_camunda" name="Camunda" isExecutable="true"
                camunda:historyTimeToLive="180">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="ask" camunda:formKey="proposal" camunda:assignee="demo">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="dueWorkingDays" value="5" />
        <camunda:property name="color" value="red" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask id="send" camunda:type="external" camunda:topic="notify"
                      camunda:resultVariable="sent" />
    <bpmn:serviceTask id="java" camunda:class="org.example.Delegate" />
    <bpmn:exclusiveGateway id="gw" default="f_no" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="send">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        >${amount &gt; 3 &amp;&amp; !late}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="java" />
    <bpmn:sequenceFlow id="f3" sourceRef="send" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="java" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_juel_conditions_become_python() -> None:
    assert juel_to_python("${a && !b || c eq 'x'}") == "a and not b or c == 'x'"
    assert juel_to_python("${x != 1}") == "x != 1"
    assert juel_to_python("plain == 1") is None


def test_camunda_attributes_are_mapped_or_reported() -> None:
    report = import_diagram(CAMUNDA)
    xml = report.xml.decode()
    assert "camunda:" not in xml and "zeebe" not in xml
    assert '<spiffworkflow:property name="formKey" value="proposal"/>' in xml
    assert '<spiffworkflow:property name="dueWorkingDays" value="5"/>' in xml
    assert '<spiffworkflow:serviceTaskOperator id="notify" resultVariable="sent">' in xml
    assert "amount &gt; 3 and not late</bpmn:conditionExpression>" in xml
    notes = {(n["element_id"], n["kind"], n["message"].split(" ")[0]) for n in report.notes}
    assert ("ask", "mapped", "camunda:formKey") in notes
    assert ("ask", "mapped", "camunda:property") in notes
    assert ("send", "mapped", "camunda:topic") in notes
    assert ("f_yes", "mapped", "Điều") in notes
    dropped = {(n["element_id"], n["message"]) for n in report.notes if n["kind"] == "dropped"}
    assert [n["message"] for n in report.notes if n["element_id"] == "java"] == [
        "camunda:class=«org.example.Delegate» là mã Java/biểu thức của Camunda, động cơ này "
        "không chạy được; hãy chọn bộ xử lý (handler) đã đăng ký cho bước này."]
    assert ("ask", "Thuộc tính camunda:assignee=«demo» không được dùng; đã bỏ.") in dropped
    assert ("ask", "camunda:property «color» không được dùng; đã bỏ.") in dropped
    assert any(e == "from_camunda" and "historyTimeToLive" in m for e, m in dropped)


def test_bpmn_io_diagram_becomes_executable() -> None:
    xml = CAMUNDA.replace(b'isExecutable="true"', b'isExecutable="false"')
    report = import_diagram(xml)
    assert b'isExecutable="true"' in report.xml
    assert ("from_camunda", "mapped") in {(n["element_id"], n["kind"]) for n in report.notes}


def test_a_caught_message_and_its_variable_are_compared() -> None:
    def catch(variable: str) -> str:
        return TWO_LANE.replace(
            '<bpmn:endEvent id="end">',
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition id="m" '
            'messageRef="msg"><bpmn:extensionElements><spiffworkflow:messageVariable>'
            f'{variable}</spiffworkflow:messageVariable></bpmn:extensionElements>'
            '</bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:endEvent id="end">')
    assert change(diff(catch("result"), catch("outcome")), "wait")["fields"] == [
        {"field": "message", "old": {"ref": "msg", "variable": "result"},
         "new": {"ref": "msg", "variable": "outcome"}}]


ROLES = ImportContext(("submitter", "secretariat", "council", "chair", "admin"),
                      lambda name: name in ("notify", "check_dossier"),
                      lambda key: key in ("proposal", "decision"))
LANES = b"""<bpmn:laneSet id="ls">
      <bpmn:lane id="lane_a" name="Phong TCHCQT"><bpmn:flowNodeRef>ask</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ask2</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_b" name="Lanh dao (chair)"><bpmn:flowNodeRef>ask3</bpmn:flowNodeRef>
      </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />"""


def notes_of(report: Any, kind: str) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for n in report.notes:
        if n["kind"] == kind:
            out.setdefault(n["element_id"], []).append(n["message"])
    return out


def test_camunda_candidate_groups_become_the_lane_role_or_a_note() -> None:
    xml = CAMUNDA.replace(b'<bpmn:startEvent id="start" />', LANES).replace(
        b'camunda:assignee="demo"', b'camunda:candidateGroups="secretariat, sales"').replace(
        b'<bpmn:serviceTask id="java"',
        b'<bpmn:userTask id="ask2" camunda:candidateGroups="council" />'
        b'<bpmn:userTask id="ask3" camunda:candidateGroups="secretariat" />'
        b'<bpmn:userTask id="ask4" camunda:candidateGroups="sales" />'
        b'<bpmn:userTask id="ask5" camunda:candidateGroups="chair" />'
        b'<bpmn:serviceTask id="java"')
    report = import_diagram(xml, ROLES)
    out = report.xml.decode()
    assert 'id="lane_a" name="Phong TCHCQT (secretariat)"' in out  # a lane with no role
    assert 'id="lane_b" name="Lanh dao (chair)"' in out  # kept
    assert "candidateGroups" not in out
    mapped, review = notes_of(report, "mapped"), notes_of(report, "review")
    assert "làn «Phong TCHCQT (secretariat)»" in mapped["ask"][-1]
    assert "của vai trò «secretariat»; đã giữ làn" in review["ask2"][0]  # same lane, other role
    assert "nằm trong làn «Lanh dao (chair)» của vai trò «chair»" in review["ask3"][0]
    assert "không ứng với vai trò nào đã biết" in review["ask4"][0]
    assert "không nằm trong làn nào" in review["ask5"][0] and "(chair)" in review["ask5"][0]


def test_java_delegates_are_reported_for_the_admin_to_redo() -> None:
    xml = CAMUNDA.replace(b'<bpmn:endEvent id="end" />',
                          b'<bpmn:endEvent id="end" /><bpmn:sendTask id="mail" '
                          b'camunda:delegateExpression="${mailer}" /><bpmn:serviceTask '
                          b'id="calc" camunda:expression="${calc.run()}" />')
    review = notes_of(import_diagram(xml, ROLES), "review")
    assert "camunda:class=«org.example.Delegate» là mã Java" in review["java"][0]
    assert "hãy chọn bộ xử lý (handler) đã đăng ký" in review["java"][0]
    assert review["mail"][0].startswith("camunda:delegateExpression=«${mailer}»")
    assert review["calc"][0].startswith("camunda:expression=«${calc.run()}»")


ZEEBE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="from_zeebe" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="Thu ky">
      <bpmn:flowNodeRef>ask</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="ask"><bpmn:extensionElements>
      <zeebe:userTask /><zeebe:formDefinition formId="proposal" />
      <zeebe:assignmentDefinition candidateGroups="=[&quot;secretariat&quot;]" />
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:userTask id="ask_other"><bpmn:extensionElements>
      <zeebe:formDefinition formKey="camunda-forms:bpmn:userTaskForm_1" />
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="send"><bpmn:extensionElements>
      <zeebe:taskDefinition type="notify" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="pay"><bpmn:extensionElements>
      <zeebe:taskDefinition type="payment-service" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f_no" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="ask_other" />
    <bpmn:sequenceFlow id="f3" sourceRef="ask_other" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="send">
      <bpmn:conditionExpression>=amount &gt;= 3 and title = "x" and not(late = true)
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_js" sourceRef="gw" targetRef="pay">
      <bpmn:conditionExpression language="javascript">amount &gt; 3</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="calc" />
    <bpmn:sequenceFlow id="f4" sourceRef="send" targetRef="end" />
    <bpmn:sequenceFlow id="f5" sourceRef="pay" targetRef="end" />
    <bpmn:sequenceFlow id="f6" sourceRef="calc" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_camunda_8_task_types_forms_and_feel_conditions() -> None:
    report = import_diagram(ZEEBE, ROLES)
    out = report.xml.decode()
    assert "zeebe:" not in out and "camunda.org/schema/zeebe" not in out
    ask = out[out.index('<bpmn:userTask id="ask">'):out.index('<bpmn:userTask id="ask_other"')]
    assert '<spiffworkflow:property name="formKey" value="proposal"/>' in ask
    assert 'name="Thu ky (secretariat)"' in out
    assert '<spiffworkflow:serviceTaskOperator id="notify">' in out
    pay = out[out.index('<bpmn:serviceTask id="pay"'):out.index('<bpmn:scriptTask')]
    assert "serviceTaskOperator" not in pay
    assert 'amount &gt;= 3 and title == "x" and not(late == True)</bpmn:conditionExpression>' \
        in out
    assert 'language="javascript"' in out and 'scriptFormat="groovy"' in out
    mapped, review = notes_of(report, "mapped"), notes_of(report, "review")
    assert any("zeebe:userTask" in m for m in mapped["ask"])
    assert any("zeebe:formDefinition «proposal» → biểu mẫu «proposal»" in m for m in mapped["ask"])
    assert "biểu mẫu «userTaskForm_1» chưa được đăng ký" in review["ask_other"][0]
    assert mapped["send"] == ["zeebe:taskDefinition type=«notify» → bộ xử lý (handler) «notify»."]
    assert "type=«payment-service»: không có bộ xử lý" in review["pay"][0]
    assert "«groovy»" in review["calc"][0] and "«javascript»" in review["f_js"][0]


def test_scripts_in_another_language_are_named_by_validation() -> None:
    from lxml import etree

    from engine.specs.validate import Problems, check_code

    found = Problems()
    check_code(etree.fromstring(import_diagram(ZEEBE, ROLES).xml), found)
    assert [(p["element_id"], p["code"]) for p in found.items] == [
        ("calc", "code.language"), ("f_js", "code.language")]
    assert found.items[0]["message"].startswith(
        "Mã lệnh viết bằng «groovy»: động cơ chỉ chạy Python")
