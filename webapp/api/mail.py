"""E-mail: the outbox and the test mail (admin), and each person's own e-mail choice.

``/api/v1/mail/…`` answers admins only; ``/api/v1/account`` is the caller's own account.
The same services as the pages (``engine.mail.outbox``, ``workflows.mail``), audited there.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import identity
from engine.mail import outbox
from engine.store.models import User
from webapp.api.auth import admin_actor, check_admin, current_actor
from webapp.api.schemas import PagingArgs, page_schema
from webapp.services import end_read_transaction, read_session, services, write_session
from workflows import mail

blp = Blueprint("mail_api", __name__, url_prefix="/mail",
                description="Thư điện tử: hộp thư đi, thư thử (quản trị)")
account_blp = Blueprint("account_api", __name__, url_prefix="/account",
                        description="Tài khoản của tôi")


blp.before_request(check_admin)


class OutboxArgs(PagingArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(outbox.STATUSES))


class OutboxSchema(Schema):
    id = fields.Integer()
    recipient = fields.String()
    subject = fields.String()
    status = fields.String(metadata={"description": "queued, sending, sent, failed, cancelled"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    notification_id = fields.Integer(allow_none=True)
    message_id = fields.String(allow_none=True, metadata={
        "description": "the message that carried it; rows sent together share one"})


class SendReportSchema(Schema):
    not_configured = fields.Boolean()
    messages = fields.Integer(metadata={"description": "messages the server accepted"})
    sent = fields.Integer(metadata={"description": "notifications in them"})
    retrying = fields.Integer()
    failed = fields.Integer()
    cancelled = fields.Integer()
    errors = fields.List(fields.String())


class TestMailArgs(Schema):
    address = fields.String(required=True)


class TestMailSchema(Schema):
    ok = fields.Boolean()
    recipient = fields.String()
    answer = fields.String(metadata={"description": "the SMTP server's answer, when sent"})
    code = fields.String(metadata={"description": "smtp.connection_refused, "
                                                  "smtp.auth_failed, smtp.tls_failed, …"})
    message = fields.String()


class AccountSchema(Schema):
    username = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)
    email_notifications = fields.Boolean(required=True)


@blp.get("/outbox")
@blp.arguments(OutboxArgs, location="query")
@blp.response(200, page_schema(OutboxSchema, "OutboxPage"))
def list_outbox(args: dict[str, Any]) -> Any:
    """The outbox, newest first, ``?status=`` to filter."""
    found = outbox.list_outbox(read_session(), args["status"], args["page"], args["per_page"])
    return {"items": found.items, "total": found.total, "page": found.page,
            "per_page": found.per_page}


@blp.post("/outbox/<int:outbox_id>/retry")
@blp.response(200, OutboxSchema)
def retry(outbox_id: int) -> Any:
    """Queue a failed (or cancelled) e-mail again; 409 ``mail.not_failed`` otherwise."""
    session = write_session()
    row = outbox.retry(session, admin_actor(), outbox_id)
    session.commit()
    return row


@blp.post("/send")
@blp.response(200, SendReportSchema)
def send_now() -> Any:
    """Send the due e-mails now (one run, as the scheduler does every tick)."""
    return mail.send_now(services().db, admin_actor())


@blp.post("/test")
@blp.arguments(TestMailArgs)
@blp.response(200, TestMailSchema)
def test_mail(args: dict[str, Any]) -> Any:
    """Send a test e-mail now with the saved settings: the server's answer or the error."""
    actor = admin_actor()
    end_read_transaction()
    return mail.send_test_mail(services().db, actor, args["address"])


@account_blp.get("")
@account_blp.response(200, AccountSchema)
def get_account() -> Any:
    """The caller's account: address and e-mail choice."""
    return read_session().get(User, current_actor().id)


@account_blp.patch("")
@account_blp.arguments(AccountSchema)
@account_blp.response(200, AccountSchema)
def patch_account(data: dict[str, Any]) -> Any:
    """Turn the caller's notification e-mails on or off."""
    session = write_session()
    user = identity.set_email_notifications(session, current_actor().id,
                                            data["email_notifications"])
    session.commit()
    return user
