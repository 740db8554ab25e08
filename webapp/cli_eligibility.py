"""``tdkt eligibility SUBJECT AWARD YEAR``: the verdict with its reasons, as JSON."""

from __future__ import annotations

import json
import sys

import click

from engine.errors import EngineError
from webapp import create_app
from workflows.eligibility import evaluate
from workflows.models import AWARD_KINDS


@click.command("eligibility")
@click.argument("subject")
@click.argument("award")
@click.argument("year", type=int)
@click.option("--kind", type=click.Choice(AWARD_KINDS), default="annual", show_default=True,
              help="Loại khen thưởng: hằng năm, chuyên đề, đột xuất")
def eligibility(subject: str, award: str, year: int, kind: str) -> None:
    """Kiểm tra điều kiện khen thưởng của SUBJECT (cá nhân/đơn vị) cho AWARD năm YEAR."""
    app = create_app()
    with app.app_context():
        db = app.extensions["tdkt"].db
        try:
            with db.reading() as session:
                verdict = evaluate(session, subject, award, year, kind=kind).to_dict()
        except EngineError as exc:
            click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
            sys.exit(1)
        finally:
            db.dispose()
    click.echo(json.dumps(verdict, ensure_ascii=False, indent=2))


COMMANDS = [eligibility]
