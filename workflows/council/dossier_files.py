"""A paper meeting's scanned minutes join the dossier of each of its candidates.

At the close (in its transaction), the scan (bản chụp biên bản họp Hội đồng, signed on
paper) becomes a version of the dossier item ``bien_ban_hoi_dong`` of every instance on
the agenda — the item a full dossier needs for the province, which units do not file
themselves. The file is the one already stored (content-addressed) when it was
attached; a row per instance points to it, superseding an earlier version (kept), and
each is audited like any dossier file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.roles import Actor
from engine.store.models import utcnow
from workflows.council.models import CouncilMeeting
from workflows.models import Attachment

ITEM = "bien_ban_hoi_dong"


def attach_scan_to_dossiers(session: Session, actor: Actor, meeting: CouncilMeeting,
                            instance_ids: list[int]) -> list[dict[str, Any]]:
    """One ``bien_ban_hoi_dong`` version per instance pointing to the meeting's scan ([] if
    the meeting has none). A dossier whose current version is this very file is left."""
    if not meeting.scan_sha256 or not meeting.scan_storage_key:
        return []
    out = []
    for instance_id in instance_ids:
        same = (Attachment.instance_id == instance_id, Attachment.item == ITEM,
                Attachment.nomination_id.is_(None))
        current = session.scalars(select(Attachment).where(
            *same, Attachment.superseded_at.is_(None))).first()
        if current is not None and current.sha256 == meeting.scan_sha256:
            continue
        last = session.scalar(select(func.max(Attachment.version)).where(*same)) or 0
        now = utcnow()
        if current is not None:
            current.superseded_at = now
        row = Attachment(instance_id=instance_id, nomination_id=None, item=ITEM,
                         version=last + 1, filename=meeting.scan_filename or "bien_ban.pdf",
                         content_type=meeting.scan_content_type or "application/pdf",
                         size=meeting.scan_size or 0, sha256=meeting.scan_sha256,
                         storage_key=meeting.scan_storage_key, uploaded_by=actor.id,
                         uploaded_at=now)
        session.add(row)
        session.flush()
        audit.append(session, actor, "attachment.added", {
            "attachment_id": row.id, "item": ITEM, "version": row.version,
            "filename": row.filename, "sha256": row.sha256, "size": row.size,
            "meeting_id": meeting.id}, instance_id=instance_id)
        out.append({"instance_id": instance_id, "attachment_id": row.id})
    return out
