"""``tdkt``: the command line. Works from any directory.

Configuration comes from the ``TDKT_*`` environment variables, as for the web
app; migrations and diagrams are found through the installed package.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy.orm import Session

from engine import audit, identity
from engine.errors import EngineError
from engine.roles import SYSTEM
from engine.specs.registry import dependency_order
from engine.store.migrate import downgrade, upgrade
from webapp import create_app
from webapp.demo import load_demo
from webapp.services import Services
from workflows.migrations import VERSION_DIRS


@contextmanager
def _app() -> Iterator[tuple[Flask, Services]]:
    app = create_app()
    with app.app_context():
        yield app, app.extensions["tdkt"]


def _run(fn: Callable[[Session, Services], Any]) -> Any:
    """Run ``fn`` in one write session; print a domain error as a message and exit 1."""
    with _app() as (_, svc):
        session = svc.db.write_session()
        try:
            result = fn(session, svc)
            session.commit()
            return result
        except EngineError as exc:
            session.rollback()
            click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
            if exc.details:
                click.echo(json.dumps(exc.details, ensure_ascii=False, indent=2), err=True)
            sys.exit(1)
        finally:
            session.close()


@click.group()
def main() -> None:
    """TĐKT Workflow: quản lý quy trình thi đua – khen thưởng."""


# -- database -------------------------------------------------------------------
@main.group()
def db() -> None:
    """Cơ sở dữ liệu (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất."""
    with _app() as (app, _):
        upgrade(app.config["DATABASE_URL"], VERSION_DIRS, revision)
    click.echo("Đã cập nhật cấu trúc cơ sở dữ liệu.")


@db.command("downgrade")
@click.option("--revision", default="base", show_default=True)
@click.confirmation_option(prompt="Hạ cấp có thể xóa dữ liệu. Tiếp tục?")
def db_downgrade(revision: str) -> None:
    with _app() as (app, _):
        downgrade(app.config["DATABASE_URL"], VERSION_DIRS, revision)
    click.echo("Đã hạ cấp cơ sở dữ liệu.")


# -- demo -----------------------------------------------------------------------
@main.group()
def demo() -> None:
    """Dữ liệu mẫu."""


@demo.command("load")
def demo_load() -> None:
    """Tạo đơn vị, người dùng, sổ khen thưởng mẫu; triển khai mọi sơ đồ trong bpmn/.

    Chạy lại không tạo trùng.
    """
    with _app() as (app, svc):
        for line in load_demo(svc, Path(app.config["BPMN_DIR"])):
            click.echo(line)


# -- units, users, tokens ----------------------------------------------------------
@main.group()
def unit() -> None:
    """Đơn vị (phòng, ban)."""


@unit.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Mã đơn vị cấp trên")
def unit_create(code: str, name: str, parent_code: str | None) -> None:
    _run(lambda s, _: identity.create_unit(s, SYSTEM, code, name, parent_code))
    click.echo(f"Đã tạo đơn vị {code}.")


@main.group()
def user() -> None:
    """Người dùng."""


@user.command("create")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True,
              help="submitter, secretariat, council, chair, admin (lặp lại để có nhiều vai trò)")
@click.option("--unit", "unit_code", default=None)
@click.option("--password", required=True)
@click.option("--full-name", default="")
@click.option("--email", default=None, help="Địa chỉ nhận thư thông báo")
def user_create(name: str, roles: tuple[str, ...], unit_code: str | None, password: str,
                full_name: str, email: str | None) -> None:
    _run(lambda s, svc: identity.create_user(
        s, SYSTEM, name, password, list(roles), svc.engine.settings.roles, unit_code, full_name,
        email))
    click.echo(f"Đã tạo người dùng {name}.")


@main.group()
def token() -> None:
    """Mã truy cập cá nhân cho API."""


@token.command("create")
@click.argument("name")
@click.option("--label", default="", help="Ghi chú cho mã (ví dụ: tên kịch bản dùng mã)")
def token_create(name: str, label: str) -> None:
    """Tạo mã truy cập cá nhân cho người dùng NAME; mã là dòng cuối cùng được in ra."""
    plain = _run(lambda s, _: identity.create_token(s, SYSTEM, identity.find_user(s, name),
                                                    label))
    click.echo(f"Mã truy cập của {name} (chỉ hiện một lần):")
    click.echo(plain)


# -- processes and instances ---------------------------------------------------------
@main.group()
def process() -> None:
    """Mô hình quy trình."""


@process.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def process_deploy(files: tuple[str, ...]) -> None:
    """Kiểm tra và triển khai các tệp BPMN (chỉ tạo phiên bản mới khi nội dung thay đổi)."""
    with _app() as (_, svc):
        failed = False
        docs = dependency_order([(name, Path(name).read_bytes()) for name in files])
        for name, xml in docs:  # a called process is deployed before its callers
            session = svc.db.write_session()
            try:
                r = svc.engine.deploy(session, xml, SYSTEM, Path(name).name)
                state = "phiên bản mới" if r["created"] else "không đổi"
                click.echo(f"{r['key']} v{r['version']} ({state}) sha256={r['sha256']}")
            except EngineError as exc:
                failed = True
                click.echo(f"{name}: Lỗi [{exc.code}]: {exc.message}", err=True)
                for d in exc.details or []:
                    click.echo(f"  - {d.get('element_id') or '(tệp)'}: {d.get('message')}",
                               err=True)
            finally:
                session.close()
        if failed:
            sys.exit(1)


@process.command("list")
def process_list() -> None:
    with _app() as (_, svc), svc.db.reading() as session:
        for p in svc.engine.list_processes(session):
            for v in p["versions"]:
                click.echo(f"{p['key']}\tv{v['version']}\t{v['deployed_at']}\t"
                           f"{v['running_instances']} đang chạy\t{v['sha256'][:12]}")


@main.group()
def instance() -> None:
    """Hồ sơ đang chạy."""


@instance.command("retry")
@click.argument("instance_id", type=int)
def instance_retry(instance_id: int) -> None:
    """Chạy lại hồ sơ ID đang lỗi, sau khi đã khắc phục nguyên nhân."""
    with _app() as (_, svc):
        session = svc.db.write_session()
        try:
            r = svc.engine.retry_instance(session, instance_id, SYSTEM)
        except EngineError as exc:
            click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
            sys.exit(1)
        finally:
            session.close()
    click.echo(f"Hồ sơ {instance_id}: {r['status']}")
    if r["error"]:
        click.echo(f"Vẫn lỗi tại {r['error']['element_id']}: {r['error']['message']}", err=True)
        sys.exit(1)


# -- audit --------------------------------------------------------------------------
@main.group("audit")
def audit_group() -> None:
    """Nhật ký kiểm tra."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Kiểm tra chuỗi băm của nhật ký; báo bản ghi đầu tiên bị sửa (mã thoát 1)."""
    with _app() as (_, svc), svc.db.reading() as session:
        result = audit.verify(session)
    if result.ok:
        click.echo(f"Chuỗi nhật ký toàn vẹn: {result.checked} bản ghi.")
        return
    click.echo(f"Chuỗi nhật ký bị phá vỡ tại bản ghi {result.broken_id}: {result.reason}",
               err=True)
    sys.exit(1)


# -- server ---------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=None,
              help="Chạy kèm bộ lập lịch (hẹn giờ, nhắc hạn) trong tiến trình này "
                   "(mặc định: có, trừ khi TDKT_SCHEDULER_IN_SERVE=false).")
def serve(host: str, port: int, with_scheduler: bool | None) -> None:
    """Chạy ứng dụng web và API (dùng gunicorn khi cần nhiều tiến trình)."""
    from webapp.cli_scheduler import make_scheduler

    app = create_app()
    job = None
    if with_scheduler if with_scheduler is not None else app.config["SCHEDULER_IN_SERVE"]:
        job = make_scheduler(app)
        job.start(blocking=False)  # a background thread; another process may hold the lease
        click.echo(f"Bộ lập lịch (hẹn giờ, nhắc hạn) chạy kèm, mỗi {job.interval_s:g} giây.")
        # stopping (Ctrl+C or SIGTERM) gives the lease up, so another process takes over
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        if job is not None:
            job.stop()


def _add_domain_commands() -> None:
    """Commands of the domain live in their own modules, one per concern."""
    from webapp import cli_council, cli_eligibility, cli_mail, cli_registry, cli_scheduler

    for module in (cli_registry, cli_eligibility, cli_council, cli_mail, cli_scheduler):
        for command in module.COMMANDS:
            main.add_command(command)
    from webapp import cli_process_migrate

    for command in cli_process_migrate.PROCESS_COMMANDS:  # tdkt process migrate
        process.add_command(command)


_add_domain_commands()

if __name__ == "__main__":
    main()
