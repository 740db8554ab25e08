"""``/admin/mail``: the outbox (hộp thư đi); and the settings page's "Gửi thư thử"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.errors import EngineError, NotFound
from engine.mail import outbox
from webapp.admin import bp
from webapp.admin.common import PER_PAGE, admin_required, errors_of, not_found, page_arg
from webapp.admin.mail_status import mail_status
from webapp.admin.settings import _page as settings_page
from webapp.auth import current_actor
from webapp.instances_pages import local_time
from webapp.services import end_read_transaction, read_session, services, write_session
from workflows import mail, settings_admin

STATUS_LABELS = {"queued": _l("Đang chờ gửi"), "sending": _l("Đang gửi"),
                 "sent": _l("Đã gửi"), "failed": _l("Lỗi"), "cancelled": _l("Đã hủy")}


@bp.post("/settings/test-mail")
@admin_required
def settings_test_mail() -> Any:
    """Send a test e-mail now with the saved settings; show the answer or the error."""
    address = (request.form.get("test_address") or "").strip()
    values = settings_admin.current_settings(read_session())
    end_read_transaction()  # the page's own reads hold nothing while it sends
    try:
        result = mail.send_test_mail(services().db, current_actor(), address)
    except EngineError as exc:
        return settings_page(values, {}, 422, test_address=address,
                             test_errors=errors_of(exc))
    return settings_page(values, {}, test_address=address, test_result=result)


@bp.get("/mail")
@admin_required
def mail_outbox() -> Any:
    status = request.args.get("status")
    status = status if status in outbox.STATUSES else None
    session = read_session()
    found = outbox.list_outbox(session, status, page_arg(), PER_PAGE)
    return render_template("admin/mail.html", found=found, status=status,
                           labels=STATUS_LABELS, mail=mail_status(session), when=_when)


def _when(moment: datetime | None) -> str:
    return local_time(moment.isoformat()) if moment else ""


def _back() -> Any:
    return redirect(url_for("admin.mail_outbox", status=request.form.get("status") or None))


@bp.post("/mail/<int:outbox_id>/retry")
@admin_required
def mail_retry(outbox_id: int) -> Any:
    session = write_session()
    try:
        row = outbox.retry(session, current_actor(), outbox_id)
        session.commit()
    except NotFound as exc:
        session.rollback()
        return not_found(exc.message)
    except EngineError as exc:
        session.rollback()
        flash(exc.message, "warning")
        return _back()
    flash(_("Đã đưa thư gửi %(to)s vào hàng chờ gửi lại.", to=row.recipient), "success")
    return _back()


@bp.post("/mail/retry-failed")
@admin_required
def mail_retry_failed() -> Any:
    session = write_session()
    count = outbox.retry_all_failed(session, current_actor())
    session.commit()
    flash(_("Đã đưa %(count)s thư lỗi vào hàng chờ gửi lại.", count=count), "success")
    return _back()


@bp.post("/mail/send")
@admin_required
def mail_send() -> Any:
    """Send the due e-mails now (what the scheduler does on its own every tick)."""
    report = mail.send_now(services().db, current_actor())
    if report.not_configured:
        flash(_("Chưa cấu hình SMTP: chưa gửi thư nào."), "warning")
    elif not report.claimed:
        flash(_("Không có thư nào đến hạn gửi."), "info")
    else:
        flash(_("Đã gửi %(messages)s thư (%(sent)s thông báo); %(retrying)s sẽ thử lại, "
                "%(failed)s lỗi, %(cancelled)s hủy.", messages=report.messages,
                sent=report.sent, retrying=report.retrying, failed=report.failed,
                cancelled=report.cancelled), "success" if not report.errors else "warning")
    return _back()
