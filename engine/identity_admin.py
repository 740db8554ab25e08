"""Administration of user accounts (quản trị người dùng): list, create, edit, lock, reset.

Every change is audited with the values before and after. Two rules keep the office
from locking itself out: an admin cannot disable their own account, and the last
active admin can be neither disabled nor stripped of the admin role.
Field errors are ``InvalidData`` whose ``details`` name the form field.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from engine import audit, identity
from engine.errors import Conflict, InvalidData, NotFound
from engine.roles import Actor
from engine.store.models import Unit, User, UserRole

ADMIN_ROLE = "admin"
# Letters and digits that cannot be mistaken for one another when read aloud or copied.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")
GENERATED_LENGTH = 12


@dataclass(frozen=True)
class UserPage:
    """One page of the user list."""

    items: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(query: str | None, status: str | None) -> Select[Any]:
    stmt = select(User)
    if query:
        text = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_")  # typed characters, not LIKE wildcards
        like = f"%{text}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like, escape="\\"),
                              func.lower(User.full_name).like(like, escape="\\"),
                              func.lower(func.coalesce(User.unit_code, "")).like(
                                  like, escape="\\"),
                              func.lower(func.coalesce(User.email, "")).like(
                                  like, escape="\\")))
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    return stmt


def list_users(session: Session, query: str | None = None, status: str | None = None,
               page: int = 1, per_page: int = 20) -> UserPage:
    """Users matching ``query`` (username, full name, unit code or e-mail), by username."""
    stmt = _filtered(query, status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.username)
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return UserPage(list(rows), int(total), max(page, 1), per_page)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", code="user.not_found")
    return user


def snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of an account (never its password)."""
    return {"username": user.username, "full_name": user.full_name,
            "unit_code": user.unit_code, "roles": sorted(user.role_codes),
            "active": user.active, "email": user.email}


def check_strength(password: str, field: str = "password") -> None:
    """The rule every new password meets (the same as for changing one's own)."""
    if len(password or "") < identity.MIN_PASSWORD_LENGTH:
        message = f"Mật khẩu cần ít nhất {identity.MIN_PASSWORD_LENGTH} ký tự."
        raise InvalidData(message, code="password.weak", details={field: [message]})


def _check_roles(roles: list[str], known_roles: tuple[str, ...]) -> None:
    unknown = [r for r in roles if r not in known_roles]
    if unknown or not roles:
        message = ("Chọn ít nhất một vai trò." if not roles
                   else f"Vai trò không hợp lệ: {', '.join(unknown)}.")
        raise InvalidData(message, details={"roles": [message]})


def _check_unit(session: Session, unit_code: str | None, roles: list[str]) -> None:
    if unit_code:
        unit = session.get(Unit, unit_code)
        if unit is None or not unit.active:
            message = f"Không có đơn vị đang hoạt động «{unit_code}»."
            raise InvalidData(message, code="unit.not_found", details={"unit_code": [message]})
    elif "submitter" in roles:
        message = "Đơn vị đề nghị (submitter) phải thuộc một đơn vị."
        raise InvalidData(message, details={"unit_code": [message]})


def create_user(session: Session, actor: Actor, *, username: str, full_name: str,
                password: str, roles: list[str], unit_code: str | None,
                known_roles: tuple[str, ...], email: str | None = None) -> User:
    """Create an account (tạo tài khoản) with its initial password.

    Raises:
        InvalidData: weak password, unknown role, unknown or inactive unit.
        Conflict: ``user.exists``.
    """
    _check_roles(roles, known_roles)
    check_strength(password)
    _check_unit(session, unit_code, roles)
    email = identity.check_email(email)
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        message = f"Tên đăng nhập «{username}» đã có."
        raise Conflict(message, code="user.exists", details={"username": [message]})
    return identity.create_user(session, actor, username, password, roles, known_roles,
                                unit_code, full_name, email)


def _active_admins(session: Session) -> int:
    """How many active admins there are, their rows locked till the command ends.

    The lock makes two admins demoting each other at once on PostgreSQL wait in turn, so
    the second sees the first's change and the office never loses its last admin.
    """
    admins = (select(User.id).join(UserRole, UserRole.user_id == User.id)
              .where(User.active.is_(True), UserRole.role == ADMIN_ROLE))
    session.scalars(admins.with_for_update(of=User)).all()
    # Counted again in a new statement: after waiting for the lock, PostgreSQL's next
    # snapshot sees what the other command committed (the locking read may not).
    return len(session.scalars(admins).all())


def _guard_last_admin(session: Session, user: User, field: str) -> None:
    if user.active and ADMIN_ROLE in user.role_codes and _active_admins(session) <= 1:
        message = "Đây là quản trị viên cuối cùng còn hoạt động; cần có quản trị viên khác trước."
        raise Conflict(message, code="user.last_admin", details={field: [message]})


_KEEP: Any = object()  # update_user without ``email`` leaves the address as it is


def update_user(session: Session, actor: Actor, user_id: int, *, full_name: str,
                roles: list[str], unit_code: str | None,
                known_roles: tuple[str, ...], email: str | None = _KEEP) -> User:
    """Change an account's full name, e-mail, roles and unit (đổi vai trò, đơn vị)."""
    user = get_user(session, user_id)
    _check_roles(roles, known_roles)
    email = user.email if email is _KEEP else identity.check_email(email)
    if unit_code != user.unit_code or "submitter" in roles:
        _check_unit(session, unit_code, roles)
    if ADMIN_ROLE not in roles:
        _guard_last_admin(session, user, "roles")
    before = snapshot(user)
    user.full_name = full_name or user.username
    user.unit_code = unit_code
    user.email = email
    wanted = sorted(set(roles))
    if wanted != sorted(user.role_codes):
        user.roles = [UserRole(role=r) for r in wanted]
    session.flush()
    after = snapshot(user)
    if after != before:
        audit.append(session, actor, "user.updated",
                     {"user_id": user.id, "before": before, "after": after})
    return user


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Disable (khóa) or enable (mở khóa) an account.

    A disabled account cannot sign in; its open sessions and its tokens stop working
    at once (both loaders check ``active``).

    Raises:
        Conflict: ``user.self_disable`` or ``user.last_admin``.
    """
    user = get_user(session, user_id)
    if user.active == active:
        return user
    if not active and user.id == actor.id:
        raise Conflict("Không thể tự khóa tài khoản của chính mình.", code="user.self_disable")
    if not active:
        _guard_last_admin(session, user, "active")
    user.active = active
    audit.append(session, actor, "user.enabled" if active else "user.disabled",
                 {"user_id": user.id, "username": user.username,
                  "before": {"active": not active}, "after": {"active": active}})
    return user


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def reset_password(session: Session, actor: Actor, user_id: int,
                   new_password: str | None = None) -> str | None:
    """Set a new password (đặt lại mật khẩu); returns it when generated, to be shown once.

    The audit records who reset whose password and whether it was generated, never the
    password itself.
    """
    user = get_user(session, user_id)
    generated = not new_password
    password = generate_password() if generated else str(new_password)
    check_strength(password, "new_password")
    user.password_hash = identity.hash_password(password)
    audit.append(session, actor, "user.password_reset",
                 {"user_id": user.id, "username": user.username, "generated": generated})
    return password if generated else None


def patch_user(session: Session, actor: Actor, user_id: int, changes: dict[str, Any],
               known_roles: tuple[str, ...]) -> User:
    """Apply any of ``full_name``, ``email``, ``unit_code``, ``roles``, ``active``
    (the API's PATCH)."""
    user = get_user(session, user_id)
    editable = ("full_name", "unit_code", "roles", "email")
    if any(k in changes for k in editable):
        update_user(session, actor, user_id,
                    full_name=changes.get("full_name", user.full_name),
                    unit_code=changes.get("unit_code", user.unit_code),
                    roles=list(changes.get("roles", sorted(user.role_codes))),
                    known_roles=known_roles, email=changes.get("email", user.email))
    if "active" in changes:
        set_active(session, actor, user_id, bool(changes["active"]))
    return user
