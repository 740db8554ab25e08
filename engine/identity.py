"""Units, users, roles and personal access tokens.

Passwords are hashed with argon2 (argon2-cffi); tokens are 256-bit random
strings of which only the sha256 is stored, so a leaked database leaks none.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import ValidationError, validate
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData, NotFound, Unauthorized
from engine.roles import Actor
from engine.store.models import AccessToken, Unit, User, UserRole, utcnow

TOKEN_PREFIX = "tdkt_"
_HASHER = PasswordHasher()
# Writing last_used_at on every request would turn every read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, username=user.username, roles=user.role_codes,
                 unit_code=user.unit_code, full_name=user.full_name)


def hash_password(password: str) -> str:
    """The argon2 hash stored for a password."""
    return _HASHER.hash(password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_unit(session: Session, actor: Actor, code: str, name: str,
                parent_code: str | None = None) -> Unit:
    if not code or not name:
        raise InvalidData("Cần mã và tên đơn vị.", details={"code": ["Bắt buộc."]})
    if session.get(Unit, code) is not None:
        raise Conflict(f"Đơn vị «{code}» đã có.", code="unit.exists")
    if parent_code and session.get(Unit, parent_code) is None:
        raise NotFound(f"Không có đơn vị cấp trên «{parent_code}».", code="unit.not_found")
    unit = Unit(code=code, name=name, parent_code=parent_code)
    session.add(unit)
    audit.append(session, actor, "unit.created",
                 {"code": code, "name": name, "parent_code": parent_code})
    return unit


def create_user(session: Session, actor: Actor, username: str, password: str,
                roles: list[str], known_roles: tuple[str, ...], unit_code: str | None = None,
                full_name: str = "", email: str | None = None) -> User:
    unknown = [r for r in roles if r not in known_roles]
    if unknown:
        raise InvalidData(f"Vai trò không hợp lệ: {', '.join(unknown)}.",
                          details={"role": [f"Một trong: {', '.join(known_roles)}"]})
    if not password or len(password) < 8:
        raise InvalidData("Mật khẩu cần ít nhất 8 ký tự.",
                          details={"password": ["Ít nhất 8 ký tự."]})
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Conflict(f"Tên đăng nhập «{username}» đã có.", code="user.exists")
    if unit_code and session.get(Unit, unit_code) is None:
        raise NotFound(f"Không có đơn vị «{unit_code}».", code="unit.not_found")
    if "submitter" in roles and not unit_code:
        raise InvalidData("Người đề nghị (submitter) phải thuộc một đơn vị.",
                          details={"unit": ["Bắt buộc với vai trò submitter."]})
    email = check_email(email)
    user = User(username=username, full_name=full_name or username,
                password_hash=_HASHER.hash(password), unit_code=unit_code, email=email,
                roles=[UserRole(role=r) for r in sorted(set(roles))])
    session.add(user)
    session.flush()
    audit.append(session, actor, "user.created",
                 {"user_id": user.id, "username": username, "roles": sorted(set(roles)),
                  "unit_code": unit_code, "email": email})
    return user


_EMAIL = validate.Email(error="Địa chỉ thư điện tử không hợp lệ.")
MAX_EMAIL_LENGTH = 254


def check_email(value: str | None, field: str = "email") -> str | None:
    """An account's e-mail address, trimmed (None when blank), or ``InvalidData``."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) > MAX_EMAIL_LENGTH:
            raise ValidationError(f"Không được quá {MAX_EMAIL_LENGTH} ký tự.")
        _EMAIL(text)
    except ValidationError as exc:
        message = " ".join(str(m) for m in exc.messages)
        raise InvalidData(message, code="user.email_invalid",
                          details={field: [message]}) from exc
    return text


def set_email_notifications(session: Session, user_id: int, wanted: bool) -> User:
    """A person's own choice to receive notifications by e-mail (nhận thư thông báo)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", code="user.not_found")
    if user.email_notifications != wanted:
        user.email_notifications = wanted
        audit.append(session, actor_of(user), "user.email_notifications",
                     {"user_id": user.id, "username": user.username,
                      "before": not wanted, "after": wanted})
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"Không có người dùng «{username}».", code="user.not_found")
    return user


def check_password(user: User, password: str) -> bool:
    if not user.password_hash or not user.active:
        return False
    try:
        return _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_token(session: Session, actor: Actor, user: User, name: str = "") -> str:
    """Make a token for ``user``; the plaintext is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(AccessToken(user_id=user.id, name=name, token_hash=hash_token(token),
                            prefix=token[:12]))
    audit.append(session, actor, "token.created",
                 {"user_id": user.id, "username": user.username, "name": name,
                  "prefix": token[:12]})
    return token


def authenticate_token(session: Session, token: str) -> Actor:
    """The actor a bearer token stands for, or Unauthorized."""
    row = session.scalars(
        select(AccessToken).where(AccessToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("Mã truy cập không hợp lệ hoặc đã bị thu hồi.",
                           code="auth.invalid_token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("Tài khoản đã bị khóa.", code="auth.user_disabled")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        try:
            row.last_used_at = now
            session.commit()
        except OperationalError:  # best effort: a busy database must not refuse the request
            session.rollback()
    return actor_of(user)


MIN_PASSWORD_LENGTH = 8


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    """Replace a user's password after checking the current one (đổi mật khẩu).

    Raises:
        NotFound: no such user.
        InvalidData: the current password is wrong or the new one is too short or unchanged;
            ``details`` names the field.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", code="user.not_found")
    if not check_password(user, current):
        raise InvalidData("Mật khẩu hiện tại không đúng.", code="password.wrong",
                          details={"current": ["Mật khẩu hiện tại không đúng."]})
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise InvalidData(f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                          details={"new": [f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự."]})
    if new == current:
        raise InvalidData("Mật khẩu mới phải khác mật khẩu hiện tại.",
                          details={"new": ["Phải khác mật khẩu hiện tại."]})
    user.password_hash = _HASHER.hash(new)
    audit.append(session, actor_of(user), "user.password_changed",
                 {"user_id": user.id, "username": user.username})
