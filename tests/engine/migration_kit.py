"""Helpers of the migration tests: versions of two_lane.bpmn, cheap instances, job runs."""

from __future__ import annotations

import re
import uuid
from typing import Any

from conftest import fixture_bytes
from engine_kit import World, bpmn
from marshmallow import Schema, fields
from sqlalchemy import func, insert, select

from engine.migration import batches, create_job, dry_run, get_job, parse_filters
from engine.store.models import HumanTask, MigrationItem, MigrationJob, ProcessInstance

TWO_LANE = fixture_bytes("two_lane.bpmn")


class ProposalV2Schema(Schema):
    """The proposal form of a later version: asks for a reason too."""

    title = fields.Str(required=True)
    amount = fields.Int(load_default=0)
    reason = fields.Str(required=True)


def edit(xml: bytes, *pairs: tuple[str, str]) -> bytes:
    text = xml.decode()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def changed_appraise() -> bytes:
    """v2: appraise renamed, moved to the council's lane, 5 working days instead of 10;
    propose uses the proposal_v2 form."""
    return edit(
        TWO_LANE,
        ('<bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>', ''),
        ('</bpmn:laneSet>', '<bpmn:lane id="l3" name="Hội đồng (council)">'
                            '<bpmn:flowNodeRef>appraise</bpmn:flowNodeRef></bpmn:lane>'
                            '</bpmn:laneSet>'),
        ('name="Thẩm định"', 'name="Thẩm định hồ sơ"'),
        ('name="dueWorkingDays" value="10"', 'name="dueWorkingDays" value="5"'),
        ('camunda:formKey="proposal"', 'camunda:formKey="proposal_v2"'),
    )


def without_appraise() -> bytes:
    """v2: propose goes straight to the gateway (appraise removed)."""
    return edit(
        TWO_LANE,
        ('<bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>', ''),
        ('<bpmn:userTask id="appraise" name="Thẩm định"><bpmn:extensionElements>'
         '<spiffworkflow:properties><spiffworkflow:property name="dueWorkingDays" value="10" />'
         '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
         '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>', ''),
        ('<bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>',
         '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>'),
        ('<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="appraise" />',
         '<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="gw" />'),
        ('<bpmn:sequenceFlow id="f3" sourceRef="appraise" targetRef="gw" />', ''),
    )


def without_propose() -> bytes:
    """v2: the process starts at appraise (propose removed: a completed step of most)."""
    return edit(
        TWO_LANE,
        ('<bpmn:flowNodeRef>propose</bpmn:flowNodeRef>', ''),
        ('<bpmn:userTask id="propose" name="Đề nghị" camunda:formKey="proposal">'
         '<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>'
         '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>', ''),
        ('<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>',
         '<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>'
         '<bpmn:outgoing>f3</bpmn:outgoing>'),
        ('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="propose" />',
         '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="appraise" />'),
        ('<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="appraise" />', ''),
        ('<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="propose" />',
         '<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="appraise" />'),
    )


def callee(task_name: str = "Ký duyệt", with_task: bool = True) -> bytes:
    body = (f'<bpmn:startEvent id="s" /><bpmn:userTask id="sign" name="{task_name}" />'
            '<bpmn:endEvent id="e" /><bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="sign" />'
            '<bpmn:sequenceFlow id="g2" sourceRef="sign" targetRef="e" />') if with_task else (
            '<bpmn:startEvent id="s" /><bpmn:userTask id="check" name="Kiểm tra" />'
            '<bpmn:endEvent id="e" /><bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="check" />'
            '<bpmn:sequenceFlow id="g2" sourceRef="check" targetRef="e" />')
    return bpmn(body, "sub")


def caller(after_name: str = "Sau") -> bytes:
    return bpmn(
        '<bpmn:startEvent id="start" /><bpmn:callActivity id="call" calledElement="sub" />'
        f'<bpmn:userTask id="after" name="{after_name}" /><bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="after" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />', "main")


def migration_world(w: World) -> World:
    w.eng.forms.register("proposal_v2", ProposalV2Schema)
    return w


def run_dry(w: World, key: str, frm: int, to: int, **filters: Any) -> dict[str, Any]:
    return dict(w.read(lambda s: dry_run(w.eng, s, key, frm, to, parse_filters(filters))))


def queue(w: World, key: str, frm: int, to: int, batch_size: int = 50,
          **filters: Any) -> int:
    def body(s: Any) -> int:
        job_id = create_job(w.eng, s, w["admin1"], key, frm, to, parse_filters(filters),
                            batch_size)
        s.commit()
        return job_id
    return int(w.write(body))


def migrate(w: World, key: str, frm: int, to: int, **filters: Any) -> dict[str, Any]:
    """Queue a job, run it in the foreground, return its view with every item."""
    job_id = queue(w, key, frm, to, **filters)
    assert batches.claim(w.db, "test-worker", job_id) == job_id
    batches.run_job(w.eng, w.db, job_id, "test-worker")
    return job_view(w, job_id)


def job_view(w: World, job_id: int) -> dict[str, Any]:
    return dict(w.read(lambda s: get_job(s, job_id, per_page=5000)))


def table_counts(w: World) -> tuple[int, ...]:
    def body(s: Any) -> tuple[int, ...]:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in
                     (MigrationJob, MigrationItem, ProcessInstance, HumanTask))
    return tuple(w.read(body))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def clone_instances(w: World, instance_id: int, count: int, prefix: str) -> list[int]:
    """``count`` copies of an instance and its ready task rows, with fresh task ids (cheap:
    two bulk INSERTs instead of ``count`` engine commands)."""
    def body(s: Any) -> list[int]:
        inst = s.get(ProcessInstance, instance_id)
        rows = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                 HumanTask.state == "ready")).all()
        cols = [c.name for c in ProcessInstance.__table__.columns if c.name != "id"]
        task_cols = [c.name for c in HumanTask.__table__.columns]
        start = int(s.scalar(select(func.max(ProcessInstance.id)))) + 1
        instances, tasks = [], []
        for n in range(count):
            fresh: dict[str, str] = {}
            state = _UUID.sub(lambda m, f=fresh: f.setdefault(m.group(0), str(uuid.uuid4())),
                              inst.state_json)
            values = {c: getattr(inst, c) for c in cols}
            instances.append({**values, "id": start + n, "state_json": state,
                              "business_key": f"{prefix}-{n:04d}"})
            for row in rows:
                tasks.append({**{c: getattr(row, c) for c in task_cols},
                              "id": fresh[row.id], "instance_id": start + n})
        s.execute(insert(ProcessInstance), instances)
        s.execute(insert(HumanTask), tasks)
        if w.db.is_postgres:
            s.execute(select(func.setval("process_instance_id_seq", start + count)))
        s.commit()
        return [start + n for n in range(count)]
    return list(w.write(body))



def straight_to_calc() -> bytes:
    """v2: propose then the calculation (appraise and the gateway removed)."""
    return edit(
        TWO_LANE,
        ('<bpmn:flowNodeRef>appraise</bpmn:flowNodeRef><bpmn:flowNodeRef>gw</bpmn:flowNodeRef>',
         ''),
        ('<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>',
         '<bpmn:incoming>f1</bpmn:incoming>'),
        ('<bpmn:userTask id="appraise" name="Thẩm định"><bpmn:extensionElements>'
         '<spiffworkflow:properties><spiffworkflow:property name="dueWorkingDays" value="10" />'
         '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
         '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>', ''),
        ('<bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f3</bpmn:incoming>'
         '<bpmn:outgoing>f4</bpmn:outgoing><bpmn:outgoing>f5</bpmn:outgoing>'
         '</bpmn:exclusiveGateway>', ''),
        ('<bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>',
         '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>'),
        ('targetRef="appraise" />', 'targetRef="calc" />'),
        ('<bpmn:sequenceFlow id="f3" sourceRef="appraise" targetRef="gw" />', ''),
        ('<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="propose" />', ''),
        ('<bpmn:sequenceFlow id="f5" sourceRef="gw" targetRef="calc">'
         '<bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>'
         '</bpmn:sequenceFlow>', ''),
    )


def parallel(title_b: str = "B") -> bytes:
    """start → split → (a, b) → join → c → end."""
    return bpmn(
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        f'<bpmn:userTask id="a" name="A" /><bpmn:userTask id="b" name="{title_b}" />'
        '<bpmn:parallelGateway id="join" /><bpmn:userTask id="c" name="C" />'
        '<bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="a" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="b" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join" />'
        '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join" />'
        '<bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="c" />'
        '<bpmn:sequenceFlow id="f7" sourceRef="c" targetRef="end" />', "par")


def embedded(title: str = "Trong", inner: str = "inner") -> bytes:
    """start → embedded sub-process (one user task ``inner``) → after → end."""
    return bpmn(
        '<bpmn:startEvent id="start" /><bpmn:subProcess id="sp"><bpmn:startEvent id="ss" />'
        f'<bpmn:userTask id="{inner}" name="{title}" /><bpmn:endEvent id="se" />'
        f'<bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="{inner}" />'
        f'<bpmn:sequenceFlow id="g2" sourceRef="{inner}" targetRef="se" /></bpmn:subProcess>'
        '<bpmn:userTask id="after" name="Sau" /><bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sp" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="sp" targetRef="after" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />', "emb")
