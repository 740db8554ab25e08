"""Signing in and out of the pages (Flask-Login); one's account: password, e-mail.

The API keeps its bearer tokens (``webapp.api.auth``); these pages use the session
cookie, protected by CSRF tokens on every form (Flask-WTF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_login import logout_user as _logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from engine import identity
from engine.errors import EngineError, InvalidData, NotFound
from engine.roles import Actor
from engine.store.models import Unit, User
from webapp.services import read_session, write_session

bp = Blueprint("auth", __name__)

ROLE_LABELS = {
    "submitter": _l("Đơn vị đề nghị"),
    "secretariat": _l("Phòng TCHCQT"),
    "council": _l("Hội đồng Thi đua - Khen thưởng"),
    "chair": _l("Chánh Văn phòng"),  # the role; «Chủ tịch Hội đồng» is a council position
    "admin": _l("Quản trị hệ thống"),
}


@dataclass
class WebUser(UserMixin):  # type: ignore[misc]
    """The signed-in person as the pages see them (loaded once per request)."""

    id: int
    username: str
    full_name: str
    roles: frozenset[str]
    unit_code: str | None
    unit_name: str | None
    actor: Actor

    @property
    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS.get(r, r)) for r in sorted(self.roles)]


def _web_user(user: User) -> WebUser:
    unit = read_session().get(Unit, user.unit_code) if user.unit_code else None
    return WebUser(id=user.id, username=user.username, full_name=user.full_name,
                   roles=user.role_codes, unit_code=user.unit_code,
                   unit_name=unit.name if unit else None, actor=identity.actor_of(user))


def _load_user(user_id: str) -> WebUser | None:
    try:
        user = read_session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active:  # a disabled account loses its sessions at once
        return None
    return _web_user(user)


def init_auth(app: Flask) -> LoginManager:
    """Flask-Login for the pages; unauthenticated visitors go to ``/login``."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.register_blueprint(bp)
    return manager


def current_actor() -> Actor:
    """The actor of the signed-in person (pages only; requires ``login_required``)."""
    actor: Actor = current_user.actor
    return actor


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired()],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("Mật khẩu mới"),
                        validators=[DataRequired(), Length(min=identity.MIN_PASSWORD_LENGTH)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(),
                                        EqualTo("new", message=_l("Hai mật khẩu không khớp."))],
                            render_kw={"autocomplete": "new-password"})


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: no scheme, no host, no
    backslash and no control character (a browser drops a tab or a newline, so
    ``/<TAB>/evil.example`` would become ``//evil.example``)."""
    if not target or not target.startswith("/") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def safe_next(target: str | None) -> str:
    """Only local paths, so a form's ``next`` cannot send people to another site."""
    return local_path(target) or url_for("inbox.index")


def _authenticate(username: str, password: str) -> User | None:
    """The user if the password is right and the account active; nothing else is told."""
    try:
        user = identity.find_user(read_session(), username.strip())
    except NotFound:
        return None
    return user if identity.check_password(user, password) else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = _authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(_web_user(user))
            return redirect(safe_next(request.args.get("next")))
        error = _l("Tên đăng nhập hoặc mật khẩu không đúng.")
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> Response:
    _logout_user()
    flash(_l("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


def _account_page(form: PasswordForm) -> Any:
    """The person's account page: the password form and the e-mail preference."""
    user = read_session().get(User, current_user.id)
    return render_template("auth/password.html", form=form, user=user), \
        422 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        session = write_session()
        try:
            identity.change_password(session, current_user.id, form.current.data or "",
                                     form.new.data or "")
            session.commit()
        except InvalidData as exc:
            session.rollback()
            for field, messages in (exc.details or {}).items():
                if field in form:
                    form[field].errors = [*form[field].errors, *messages]
        except EngineError:
            session.rollback()
            raise
        else:
            flash(_l("Đã đổi mật khẩu."), "success")
            return redirect(url_for("inbox.index"))
    return _account_page(form)


@bp.post("/account/email-notifications")
@login_required
def email_notifications() -> Response:
    """Turn one's notification e-mails on or off (audited when it changes)."""
    wanted = request.form.get("email_notifications") == "1"
    session = write_session()
    identity.set_email_notifications(session, current_user.id, wanted)
    session.commit()
    flash(_l("Sẽ gửi thông báo qua thư điện tử.") if wanted
          else _l("Đã tắt thư thông báo; thông báo vẫn hiện ở biểu tượng chuông."), "success")
    return redirect(url_for("auth.change_password"))
