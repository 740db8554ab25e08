"""What a notification e-mail says (nội dung thư), in Vietnamese, as text and HTML.

A queued row holds the notification's own part (its title, the dossier, the deadline and
the link); :func:`letter` wraps one or several parts in the greeting and the footer when
the sender builds the message, so the notifications of one person that are due in the
same run go out as one letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from engine.views import one_line

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
SUBJECT_PREFIX = "[TĐKT] "
# Where a person acts on a task or reads a dossier (the web app's pages).
TASK_PATH = "/tasks/{task_id}"
INSTANCE_PATH = "/instances/{instance_id}"
# The words of the link for each kind of notification; any other kind gets the default.
ACTIONS = {
    "task.new": "Mở công việc",
    "dossier.returned": "Mở hồ sơ để bổ sung",
    "instance.completed": "Xem hồ sơ",
    "task.reminder": "Mở công việc",
    "task.overdue": "Mở công việc quá hạn",
}
DEFAULT_ACTION = "Mở trên phần mềm"
GREETING = "Kính gửi anh/chị,"
FOOTER = ("Thư này do phần mềm Thi đua - Khen thưởng gửi tự động, vui lòng không trả lời. "
          "Muốn thôi nhận thư thông báo, vào «Tài khoản của tôi» trên phần mềm và bỏ chọn "
          "«Nhận thông báo qua thư điện tử».")
_FONT = "font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933"


@dataclass(frozen=True)
class MailOptions:
    """How links and dates are written: the address people open the app at, the zone."""

    base_url: str = DEFAULT_BASE_URL
    timezone: str = "Asia/Ho_Chi_Minh"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str


def link_path(task_id: str | None, instance_id: int | None) -> str | None:
    """The page of the task, or of the dossier when there is no task."""
    if task_id:
        return TASK_PATH.format(task_id=task_id)
    if instance_id is not None:
        return INSTANCE_PATH.format(instance_id=instance_id)
    return None


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y")


def notification_mail(options: MailOptions, *, kind: str, title: str, body: str,
                      task_id: str | None, instance_id: int | None,
                      due_at: datetime | None = None, path: str | None = None
                      ) -> MailContent:
    """One notification's part of a letter, and the subject when it goes alone;
    ``path``: the page to link to when it is neither a task's nor a dossier's.

    The body's first line names the dossier («Hồ sơ: …») when the notification is about
    one; its further lines (a return's reason, …) follow as they are."""
    path = path or link_path(task_id, instance_id)
    url = options.url(path) if path else None
    action = ACTIONS.get(kind, DEFAULT_ACTION)
    said = body_lines(body, instance_id is not None)
    lines = [title, *said]
    if due_at is not None:
        lines.append(f"Hạn xử lý: {_local(due_at, options.timezone)}")
    if url:
        lines.append(f"{action}: {url}")
    html = [f'<p style="margin:0 0 4px"><strong>{escape(title)}</strong></p>']
    html += [f'<p style="margin:0">{escape(line)}</p>' for line in said]
    if due_at is not None:
        html.append(f'<p style="margin:0">Hạn xử lý: {_local(due_at, options.timezone)}</p>')
    if url:
        html.append(f'<p style="margin:8px 0 0"><a href="{escape(url)}" '
                    f'style="color:#0b5ed7">{escape(action)}</a></p>')
    return MailContent(subject=one_line(SUBJECT_PREFIX + title)[:300], text="\n".join(lines),
                       html="\n".join(html))


def body_lines(body: str, about_dossier: bool) -> list[str]:
    """A notification's body as the letter prints it, one line each, none empty."""
    lines = [line.strip() for line in (body or "").split("\n")]
    if about_dossier and lines and lines[0]:
        lines[0] = f"Hồ sơ: {lines[0]}"
    return [line for line in lines if line]


def group_subject(count: int) -> str:
    return f"{SUBJECT_PREFIX}Anh/chị có {count} thông báo mới"


def letter(parts: Sequence[MailContent]) -> MailContent:
    """The message for one recipient: one part as it is, several under one subject."""
    if not parts:
        raise ValueError("a letter needs at least one part")
    if len(parts) == 1:
        subject = parts[0].subject
        intro_text, intro_html = "", ""
    else:
        subject = group_subject(len(parts))
        intro_text = f"Anh/chị có {len(parts)} thông báo mới:\n\n"
        intro_html = f"<p>Anh/chị có {len(parts)} thông báo mới:</p>\n"
    text = (f"{GREETING}\n\n{intro_text}" + "\n\n---\n\n".join(p.text for p in parts)
            + f"\n\n-- \n{FOOTER}\n")
    sections = "\n".join(
        f'<div style="border-left:4px solid #0b5ed7;padding:8px 12px;margin:0 0 12px">'
        f"\n{p.html}\n</div>" for p in parts)
    html = (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head>\n"
            f'<body style="{_FONT}">\n<p>{GREETING}</p>\n{intro_html}{sections}\n'
            f'<p style="font-size:13px;color:#52606d">{escape(FOOTER)}</p>\n</body></html>\n')
    return MailContent(subject=subject, text=text, html=html)
