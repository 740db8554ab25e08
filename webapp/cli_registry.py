"""``tdkt registry``: import the award registry workbook, write its empty template."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import EngineError
from engine.roles import SYSTEM
from webapp import create_app
from workflows.registry_import import import_registry
from workflows.registry_template import write_template


@click.group()
def registry() -> None:
    """Sổ theo dõi khen thưởng (nhập từ Excel)."""


def _problem_line(p: dict[str, object]) -> str:
    where = [f"trang {p['sheet']}" if p.get("sheet") else "",
             f"dòng {p['row']}" if p.get("row") else "",
             f"cột {p['column']}" if p.get("column") else ""]
    place = ", ".join(w for w in where if w)
    return f"  - {place}: {p['message']}" if place else f"  - {p['message']}"


@registry.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def registry_import(file: Path) -> None:
    """Nhập FILE (.xlsx): đơn vị, cá nhân, xếp loại, khen thưởng, sáng kiến, kỷ luật.

    Có dòng sai thì không ghi gì cả; mọi lỗi đều được liệt kê.
    """
    app = create_app()
    with app.app_context():
        session = app.extensions["tdkt"].db.write_session()
        try:
            report = import_registry(session, SYSTEM, file, file.name)
            session.commit()
        except EngineError as exc:
            session.rollback()
            click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
            for problem in exc.details if isinstance(exc.details, list) else []:
                click.echo(_problem_line(problem), err=True)
            sys.exit(1)
        finally:
            session.close()
    for name, c in report.counts.items():
        click.echo(f"{name}: {c['created']} mới, {c['updated']} cập nhật, "
                   f"{c['unchanged']} không đổi")
    click.echo(f"Đã nhập {file.name} (sha256={report.sha256}).")


@registry.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def registry_template(file: Path) -> None:
    """Ghi tệp mẫu sổ khen thưởng (.xlsx) trống, kèm hướng dẫn, vào FILE."""
    write_template(file)
    click.echo(f"Đã tạo mẫu sổ khen thưởng: {file}")


COMMANDS = [registry]
