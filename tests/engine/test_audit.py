"""The hash-chained audit log: verification, tampering, history views."""

from __future__ import annotations

import pytest
from engine_kit import World, make_world, ready
from sqlalchemy import select, text

from engine import audit
from engine.errors import InvalidData
from engine.store.models import AuditEvent


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    inst = world.start("two_lane", "sub_a", {"x": 1})
    inst = world.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})
    world.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})
    return world


def raw(w: World, sql: str, **params: object) -> None:
    with w.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def verify(w: World) -> audit.VerifyResult:
    return w.read(audit.verify)


def test_chain_verifies_and_links(w: World) -> None:
    result = verify(w)
    assert result.ok and result.reason == ""
    assert result.checked == w.audit_count()
    # 3 units + 7 users + deploy + start + 2 completions + completed
    assert result.checked == 3 + 7 + 1 + 1 + 2 + 1
    rows = w.read(lambda s: s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all())
    assert [r.id for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert len({r.hash for r in rows}) == len(rows)
    started = next(r for r in rows if r.event_type == "instance.started")
    assert started.actor_name == "sub_a" and started.actor_id == w["sub_a"].id


def test_edited_payload_is_reported(w: World) -> None:
    target = w.read(lambda s: s.scalar(
        select(AuditEvent.id).where(AuditEvent.event_type == "task.completed")
        .order_by(AuditEvent.id)))
    raw(w, "UPDATE audit_event SET payload = :p WHERE id = :i",
        p='{"data":{"title":"Sửa lén"}}', i=target)
    result = verify(w)
    assert (result.ok, result.broken_id) == (False, target)
    assert result.checked == target - 1
    assert "hash" in result.reason


@pytest.mark.parametrize("column, value", [
    ("actor_name", "someone_else"),
    ("event_type", "task.claimed"),
    ("instance_id", 999),
])
def test_any_edited_column_is_reported(w: World, column: str, value: object) -> None:
    target = w.read(lambda s: s.scalar(
        select(AuditEvent.id).where(AuditEvent.event_type == "instance.started")))
    raw(w, f"UPDATE audit_event SET {column} = :v WHERE id = :i", v=value, i=target)
    assert verify(w).broken_id == target


def test_rehashed_row_breaks_the_next_link(w: World) -> None:
    """Recomputing the edited row's own hash does not help: the next row points back."""
    row = w.read(lambda s: s.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "process.deployed")).one())
    forged = '{"process_key":"two_lane","version":99}'
    digest = audit.event_hash(row.prev_hash, row.id, row.at, row.actor_id, row.actor_name,
                              row.instance_id, row.event_type, forged)
    raw(w, "UPDATE audit_event SET payload = :p, hash = :h WHERE id = :i",
        p=forged, h=digest, i=row.id)
    result = verify(w)
    assert (result.ok, result.broken_id) == (False, row.id + 1)
    assert "prev_hash" in result.reason


def test_deleted_last_row_is_reported(w: World) -> None:
    last = w.audit_count()
    raw(w, "DELETE FROM audit_event WHERE id = :i", i=last)
    result = verify(w)
    assert (result.ok, result.broken_id, result.checked) == (False, last, last - 1)
    assert "end" in result.reason


def test_deleted_middle_row_is_reported(w: World) -> None:
    raw(w, "DELETE FROM audit_event WHERE id = 5")
    result = verify(w)
    assert (result.ok, result.broken_id) == (False, 5)
    assert "gap" in result.reason


def test_failed_command_leaves_chain_intact(w: World) -> None:
    count = w.audit_count()
    inst = w.start("two_lane", "sub_a")
    with pytest.raises(InvalidData):
        w.complete(ready(inst, "propose")["id"], "sub_a", {"title": ""})
    assert w.audit_count() == count + 1  # only instance.started
    assert verify(w).ok
    # The next append continues the chain where the rollback left it.
    w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đúng rồi"})
    assert verify(w).ok and verify(w).checked == count + 2


def test_history_is_paged_and_typed(w: World) -> None:
    inst_id = 1
    page = w.read(w.eng.instance_history, inst_id, w["sub_a"], page=1, per_page=2)
    assert page.total == 4
    assert [e["type"] for e in page.items] == ["instance.started", "task.completed"]
    rest = w.read(w.eng.instance_history, inst_id, w["sub_a"], page=2, per_page=2).items
    assert [e["type"] for e in rest] == ["task.completed", "instance.completed"]
    started = page.items[0]
    assert started["payload"]["data"] == {"x": 1}
    assert started["actor"] == "sub_a" and started["instance_id"] == inst_id
    assert page.items[1]["payload"]["data"] == {"title": "Đề nghị", "amount": 0}
    assert rest[0]["actor"] == "sec1"
