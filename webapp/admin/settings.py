"""``/admin/settings``: base salary, deadlines in working days, council, SMTP."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from engine.errors import EngineError
from webapp.admin import bp
from webapp.admin.common import admin_required, errors_of, form_dict
from webapp.admin.mail_status import current_user_email, mail_status
from webapp.auth import ROLE_LABELS, current_actor
from webapp.services import read_session, write_session
from workflows import settings_admin
from workflows.catalogue import vn_number

# The groups of settings in the page's two columns (short groups share the first).
COLUMNS = (("money", "council", "smtp"), ("deadlines", "reminders", "documents"))


def _page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200,
          **test_mail: Any) -> Any:
    """The settings form, and the test-mail card (``test_result``, ``test_address``)."""
    groups = {group: (label, [s for s in settings_admin.SETTINGS if s.group == group])
              for group, label in settings_admin.GROUPS.items()}
    columns = [[groups[g] for g in column] for column in COLUMNS]
    session = read_session()
    password_set = settings_admin.current_settings(session)["smtp_password_set"]
    test_mail.setdefault("test_address", current_user_email())
    return render_template("admin/settings.html", columns=columns, values=values, errors=errors,
                           vn_number=vn_number,
                           tls_modes={k: _(v) for k, v in settings_admin.TLS_MODES.items()},
                           supervisors=[(r, str(ROLE_LABELS.get(r, r)))
                                        for r in settings_admin.SUPERVISOR_ROLES],
                           password_set=password_set, mail=mail_status(session),
                           **test_mail), status


@bp.get("/settings")
@admin_required
def settings() -> Any:
    return _page(settings_admin.current_settings(read_session()), {})


@bp.post("/settings")
@admin_required
def settings_update() -> Any:
    values = form_dict()
    data = dict(values)
    data["smtp_password_clear"] = values.get("smtp_password_clear") == "1"
    session = write_session()
    try:
        changed = settings_admin.update_settings(session, current_actor(), data)
        session.commit()
    except EngineError as exc:
        session.rollback()
        values.pop("smtp_password", None)
        return _page(values, errors_of(exc), 422)
    flash(_("Đã lưu %(count)s thay đổi.", count=len(changed)) if changed
          else _("Không có gì thay đổi."), "success")
    return redirect(url_for("admin.settings"))
