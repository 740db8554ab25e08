"""``tdkt process migrate``: move running instances to another version from the shell.

The job is the same rows the web pages use; here it runs in the foreground (claimed
with the same conditional UPDATE, so a web worker never runs it at the same time).
Every move is audited in the name of the operator: ``--as USERNAME`` (an active admin),
else the ``TDKT_OPERATOR`` environment variable, else the system account, with a
warning that the audit then names no person.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from engine import identity
from engine.errors import EngineError, Forbidden, InvalidData
from engine.migration import (
    batches,
    create_job,
    create_rollback,
    dry_run,
    get_job,
    move_back,
    parse_filters,
)
from engine.migration.jobs import throwaway_of
from engine.migration.worker import worker_name
from engine.roles import SYSTEM, Actor
from webapp import create_app
from webapp.services import Services


@contextmanager
def _services() -> Iterator[Services]:
    app = create_app()
    with app.app_context():
        yield app.extensions["tdkt"]


def _fail(exc: EngineError) -> None:
    click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
    if exc.details:
        click.echo(json.dumps(exc.details, ensure_ascii=False, indent=2), err=True)
    sys.exit(1)


def _change_text(change: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        if value is None or value == []:
            return "(không có)"
        return ", ".join(value) if isinstance(value, list) else f"«{value}»"
    return f"{change['element_id']}: {change['label']} {show(change['old'])} → " \
           f"{show(change['new'])}"


def _print_item(number: int, business_key: str | None, ok: bool,
                reasons: list[dict[str, Any]], changes: list[dict[str, Any]],
                verb: str) -> None:
    name = f"#{number}" + (f" {business_key}" if business_key else "")
    if ok:
        click.echo(f"{name}: {verb}")
        for change in changes:
            click.echo(f"    thay đổi: {_change_text(change)}")
        return
    click.echo(f"{name}: không di chuyển")
    for reason in reasons:
        click.echo(f"    lý do: {reason['message']}")


def _print_dry_run(result: dict[str, Any]) -> None:
    diagram = result["diagram"]
    if diagram["added"] or diagram["removed"]:
        click.echo(f"Sơ đồ: thêm {', '.join(diagram['added']) or '—'}; "
                   f"bỏ {', '.join(diagram['removed']) or '—'}")
    for item in result["items"]:
        _print_item(item["instance_id"], item["business_key"], item["can_move"],
                    item["reasons"], item["changes"], "di chuyển được")
    click.echo(f"Chạy thử {result['process_key']} v{result['from_version']} → "
               f"v{result['to_version']}: {result['total']} hồ sơ, "
               f"{result['movable']} di chuyển được, {result['refused']} không. "
               "Không có gì được ghi.")


OPERATOR_ENV = "TDKT_OPERATOR"


def operator(svc: Services, username: str | None) -> Actor:
    """Who the audit names: ``--as``, else $TDKT_OPERATOR, else SYSTEM (with a warning)."""
    name = username or os.environ.get(OPERATOR_ENV, "").strip() or None
    if name is None:
        click.echo(f"Cảnh báo: không có --as USERNAME hay biến {OPERATOR_ENV}; nhật ký sẽ "
                   "ghi tài khoản hệ thống (SYSTEM), không ghi tên người thực hiện.", err=True)
        return SYSTEM
    with svc.db.reading() as session:
        user = identity.find_user(session, name)
        actor = identity.actor_of(user)
        if not user.active or "admin" not in actor.roles:
            raise Forbidden(f"«{name}» không phải quản trị hệ thống đang hoạt động; chỉ quản "
                            "trị được di chuyển hồ sơ.", code="migration.operator_not_admin")
        return actor


def _run_foreground(svc: Services, job_id: int) -> dict[str, Any]:
    name = worker_name()
    if batches.claim(svc.db, name, job_id) != job_id:
        raise InvalidData("Đợt di chuyển đang được một tiến trình khác chạy.",
                          code="migration.claimed")

    def progress(counts: dict[str, int]) -> None:
        done = counts["moved"] + counts["refused"]
        click.echo(f"... {done}/{counts['total']} hồ sơ ({counts['moved']} đã di chuyển)",
                   err=True)

    try:
        batches.run_job(svc.engine, svc.db, job_id, name, progress)
    except Exception as exc:  # the job stops as failed (audited), not left running
        batches.fail(svc.db, job_id, name, str(exc))
        raise
    with svc.db.reading() as session:
        return get_job(session, job_id, per_page=100_000)


def _print_job(job: dict[str, Any]) -> None:
    for item in job["items"]:
        _print_item(item["instance_id"], item["business_key"], item["state"] == "moved",
                    item["reasons"], item["changes"], "đã di chuyển")
    kind = "Hoàn tác" if job["rollback_of"] else "Di chuyển"
    click.echo(f"{kind} #{job['id']} {job['process_key']} v{job['from_version']} → "
               f"v{job['to_version']}: {job['total']} hồ sơ, {job['moved']} đã di chuyển, "
               f"{job['refused']} không di chuyển.")


def _write(svc: Services, body: Callable[[Session], int]) -> int:
    with svc.db.write_session() as session:
        try:
            value = body(session)
            session.commit()
            return value
        except BaseException:
            session.rollback()
            raise


@click.command("migrate")
@click.argument("key", required=False)
@click.option("--from", "from_version", type=int, help="Phiên bản đang chạy (nguồn)")
@click.option("--to", "to_version", type=int, help="Phiên bản đích")
@click.option("--dry-run", is_flag=True, help="Chỉ chạy thử: báo từng hồ sơ, không ghi gì")
@click.option("--instance", "instances", type=int, multiple=True,
              help="Chỉ hồ sơ này (lặp lại được)")
@click.option("--business-key-prefix", default=None, help="Mã hồ sơ bắt đầu bằng…")
@click.option("--step", default=None, help="Chỉ hồ sơ đang ở bước (mã phần tử BPMN) này")
@click.option("--started-after", default=None, help="Khởi tạo từ ngày (yyyy-mm-dd)")
@click.option("--started-before", default=None, help="Khởi tạo trước ngày (yyyy-mm-dd)")
@click.option("--batch-size", default=50, show_default=True, type=int,
              help="Số hồ sơ mỗi lô")
@click.option("--rollback", "rollback_job", type=int, default=None,
              help="Đưa các hồ sơ mà đợt JOB đã di chuyển về phiên bản trước")
@click.option("--back", "back_instance", type=int, default=None,
              help="Đưa một hồ sơ về phiên bản trước lần di chuyển gần nhất của nó")
@click.option("--as", "as_user", default=None, metavar="USERNAME",
              help=f"Quản trị viên được ghi trong nhật ký (mặc định: ${OPERATOR_ENV})")
def migrate(key: str | None, from_version: int | None, to_version: int | None,
            **options: Any) -> None:
    """Di chuyển hồ sơ đang chạy của quy trình KEY từ phiên bản --from sang --to.

    Mỗi hồ sơ được kiểm tra (bước đang chờ còn trong phiên bản đích, đường đã qua còn
    hợp lệ) và di chuyển trong giao dịch riêng; hồ sơ không di chuyển được giữ nguyên,
    kèm lý do. --dry-run chỉ báo cáo. --rollback JOB hoàn tác một đợt đã chạy;
    --back ID đưa một hồ sơ về phiên bản cũ. Nhật ký ghi tên người ở --as.
    """
    instances = options.pop("instances")
    batch_size, rollback_job = options.pop("batch_size"), options.pop("rollback_job")
    back_instance, as_user = options.pop("back_instance"), options.pop("as_user")
    filters_raw = {**{k: v for k, v in options.items() if k != "dry_run"},
                   "instance_ids": list(instances)}
    with _services() as svc:
        try:
            actor = operator(svc, as_user)
            if back_instance is not None:
                _move_back(svc, actor, back_instance)
            elif rollback_job is not None:
                job_id = _write(svc, lambda s: create_rollback(s, actor, rollback_job,
                                                               batch_size))
                _print_job(_run_foreground(svc, job_id))
            else:
                _migrate(svc, actor, key, from_version, to_version, filters_raw,
                         bool(options.get("dry_run")), batch_size)
        except EngineError as exc:
            _fail(exc)


def _move_back(svc: Services, actor: Actor, instance_id: int) -> None:
    with svc.db.write_session() as session:
        done = move_back(svc.engine, session, actor, instance_id)
    click.echo(f"#{instance_id}: đã chuyển từ phiên bản {done['from_version']} về phiên bản "
               f"{done['to_version']} (hoàn tác lần di chuyển của đợt #{done['move_back_of']}).")


def _migrate(svc: Services, actor: Actor, key: str | None, from_version: int | None,
             to_version: int | None, filters_raw: dict[str, Any], dry: bool,
             batch_size: int) -> None:
    if not key or from_version is None or to_version is None:
        raise click.UsageError("Cần KEY, --from và --to (hoặc --rollback JOB, --back ID).")
    filters = parse_filters(filters_raw)
    if dry:
        with svc.db.reading() as session:
            _print_dry_run(dry_run(svc.engine, session, key, from_version, to_version, filters,
                                   throwaway=throwaway_of(svc.db.write_session), actor=actor))
        return
    job_id = _write(svc, lambda s: create_job(svc.engine, s, actor, key, from_version,
                                              to_version, filters, batch_size))
    _print_job(_run_foreground(svc, job_id))


PROCESS_COMMANDS = (migrate,)
