"""Services of the admin of people: accounts and the unit tree (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from engine_kit import World, make_world
from sqlalchemy import func, select

from engine import identity, identity_admin, units
from engine.errors import Conflict, InvalidData, NotFound
from engine.roles import DEFAULT_ROLES
from engine.store.models import AuditEvent, Unit, User


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def _audits(w: World) -> int:
    return int(w.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent))))


def _user(w: World, username: str) -> User:
    def body(s: object) -> User:
        user = identity.find_user(s, username)  # type: ignore[arg-type]
        s.expunge(user)  # type: ignore[attr-defined]
        return user
    return w.read(body)  # type: ignore[no-any-return]


def _commit(w: World, fn: object, *args: object, **kwargs: object) -> object:
    def body(s: object) -> object:
        out = fn(s, *args, **kwargs)  # type: ignore[operator]
        s.commit()  # type: ignore[attr-defined]
        return out
    return w.write(body)


def test_list_users_searches_pages_and_filters(w: World) -> None:
    page = w.read(identity_admin.list_users, None, None, 1, 3)
    assert page.total == len(w.actors) and len(page.items) == 3 and page.pages >= 2
    names = [u.username for u in page.items]
    assert names == sorted(names)
    found = w.read(identity_admin.list_users, "SEC")
    assert {u.username for u in found.items} == {"sec1", "sec2"}
    assert w.read(identity_admin.list_users, "tchcqt").total == 2  # by unit code
    # "_" and "%" are searched as typed, not as LIKE wildcards.
    assert w.read(identity_admin.list_users, "u_").total == 0  # "sub_a" has "ub_", not "u_"
    assert {u.username for u in w.read(identity_admin.list_users, "b_b").items} == {"sub_b"}
    assert w.read(identity_admin.list_users, "%").total == 0


def test_last_admin_and_self_disable_are_refused(w: World) -> None:
    admin = w["admin1"]
    admins = w.read(lambda s: [u.username for u in identity_admin.list_users(s).items
                               if "admin" in u.role_codes])
    assert admins == ["admin1"]
    before = _audits(w)
    with pytest.raises(Conflict) as exc:
        _commit(w, identity_admin.set_active, admin, admin.id, False)
    assert exc.value.code == "user.self_disable"
    other = identity_admin.create_user  # a second admin disabling the only one is refused too
    second = _commit(w, other, admin, username="admin2", full_name="A2", password="longenough",
                     roles=["council"], unit_code=None, known_roles=DEFAULT_ROLES)
    with pytest.raises(Conflict) as exc:
        _commit(w, identity_admin.update_user, admin, admin.id, full_name="x",
                roles=["council"], unit_code=None, known_roles=DEFAULT_ROLES)
    assert exc.value.code == "user.last_admin"
    assert _audits(w) == before + 1  # only admin2's creation
    assert second is not None and "admin" in _user(w, "admin1").role_codes


def test_disable_stops_password_and_token(w: World) -> None:
    token = _commit(w, lambda s: identity.create_token(s, w["admin1"],
                                                       identity.find_user(s, "sec1")))
    assert w.read(identity.authenticate_token, token).username == "sec1"
    _commit(w, identity_admin.set_active, w["admin1"], w["sec1"].id, False)
    assert not identity.check_password(_user(w, "sec1"), "password1")
    with pytest.raises(Exception) as exc:
        w.read(identity.authenticate_token, token)
    assert getattr(exc.value, "code", "") == "auth.user_disabled"


def test_reset_password_generated_or_chosen(w: World) -> None:
    generated = _commit(w, identity_admin.reset_password, w["admin1"], w["sub_a"].id)
    assert isinstance(generated, str) and len(generated) == identity_admin.GENERATED_LENGTH
    assert identity.check_password(_user(w, "sub_a"), generated)
    with pytest.raises(InvalidData) as exc:
        _commit(w, identity_admin.reset_password, w["admin1"], w["sub_a"].id, "short")
    assert exc.value.details == {"new_password": ["Mật khẩu cần ít nhất 8 ký tự."]}
    assert identity.check_password(_user(w, "sub_a"), generated)  # unchanged
    assert _commit(w, identity_admin.reset_password, w["admin1"], w["sub_a"].id,
                   "chosen-one") is None
    assert identity.check_password(_user(w, "sub_a"), "chosen-one")


def test_unit_tree_move_cycle_and_deactivate(w: World) -> None:
    admin = w["admin1"]
    _commit(w, units.create_unit, admin, "A1", "Tổ A1", "A")
    _commit(w, units.create_unit, admin, "A11", "Nhóm A11", "A1")
    tree = w.read(units.unit_tree)
    depth = {n.code: n.depth for n in tree}
    assert depth == {"A": 0, "A1": 1, "A11": 2, "B": 0, "TCHCQT": 0}
    assert [n.code for n in tree].index("A11") == [n.code for n in tree].index("A1") + 1
    for parent in ("A", "A1", "A11"):
        with pytest.raises(InvalidData) as exc:
            _commit(w, units.move_unit, admin, "A", parent)
        assert exc.value.code == "unit.cycle"
    assert w.read(lambda s: s.get(Unit, "A").parent_code) is None
    _commit(w, units.move_unit, admin, "A1", "B")
    assert w.read(lambda s: s.get(Unit, "A1").parent_code) == "B"
    with pytest.raises(Conflict) as exc:
        _commit(w, units.set_unit_active, admin, "A1", False)  # A11 is active beneath
    assert exc.value.code == "unit.in_use"
    _commit(w, units.set_unit_active, admin, "A11", False)
    _commit(w, units.set_unit_active, admin, "A1", False)
    with pytest.raises(InvalidData):  # an inactive parent takes no children back
        _commit(w, units.set_unit_active, admin, "A11", True)
    with pytest.raises(InvalidData):  # nor new accounts
        _commit(w, identity_admin.create_user, admin, username="x1", full_name="X",
                password="longenough", roles=["submitter"], unit_code="A1",
                known_roles=DEFAULT_ROLES)
    with pytest.raises(NotFound):
        _commit(w, units.rename_unit, admin, "NOPE", "x")


def test_two_admins_demoting_each_other_at_once_leave_one(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: the second demotion waits for the first, then sees it and is refused."""
    import threading

    w = make_world(pg_url, monkeypatch)
    admin1 = w["admin1"]
    admin2 = _commit(w, identity_admin.create_user, admin1, username="admin2",
                     full_name="A2", password="longenough", roles=["admin"], unit_code=None,
                     known_roles=DEFAULT_ROLES)
    admin2_id = admin2.id if isinstance(admin2, User) else 0
    first = w.db.write_session()
    identity_admin.update_user(first, admin1, admin2_id, full_name="A2", roles=["council"],
                               unit_code=None, known_roles=DEFAULT_ROLES)  # holds the lock
    outcome: list[BaseException | None] = []

    def second() -> None:
        with w.db.write_session() as s:
            try:
                identity_admin.update_user(s, admin1, admin1.id, full_name="A1",
                                           roles=["council"], unit_code=None,
                                           known_roles=DEFAULT_ROLES)
                s.commit()
                outcome.append(None)
            except Conflict as exc:
                outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive()  # waiting on the admins' rows
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert outcome[0].code == "user.last_admin"
    assert "admin" in _user(w, "admin1").role_codes
    assert "admin" not in _user(w, "admin2").role_codes


def test_two_moves_at_once_cannot_make_a_cycle(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: A under B and B under A at once: the second waits, then is refused."""
    import threading

    w = make_world(pg_url, monkeypatch)
    admin = w["admin1"]
    first = w.db.write_session()
    units.move_unit(first, admin, "A", "B")  # holds the unit rows
    outcome: list[BaseException | None] = []

    def second() -> None:
        with w.db.write_session() as s:
            try:
                units.move_unit(s, admin, "B", "A")
                s.commit()
                outcome.append(None)
            except InvalidData as exc:
                outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive()
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], InvalidData)
    assert outcome[0].code == "unit.cycle"
    assert w.read(lambda s: s.get(Unit, "B").parent_code) is None


def test_a_loop_in_old_data_stays_visible(w: World) -> None:
    def make_loop(s: object) -> None:
        s.get(Unit, "A").parent_code = "B"  # type: ignore[attr-defined]
        s.get(Unit, "B").parent_code = "A"  # type: ignore[attr-defined]
        s.commit()  # type: ignore[attr-defined]
    w.write(make_loop)
    codes = {n.code for n in w.read(units.unit_tree)}
    assert {"A", "B", "TCHCQT"} <= codes
    _commit(w, units.move_unit, w["admin1"], "A", None)  # the admin can mend it
    assert {n.code: n.depth for n in w.read(units.unit_tree)}["B"] == 1
