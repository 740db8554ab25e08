"""One command, one transaction: commit on success, roll back on any error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.runtime.persist import NOT_READY

T = TypeVar("T")


def run_command(session: Session, body: Callable[[], T]) -> T:
    """Run ``body`` as one transaction: commit on success, roll back on any error."""
    try:
        with session.no_autoflush:  # one flush, at commit, with batched statements
            result = body()
        session.commit()
        return result
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(NOT_READY, code="task.not_ready") from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Dữ liệu trùng hoặc vừa thay đổi; vui lòng thử lại.",
                       code="conflict") from exc
    except OperationalError as exc:
        session.rollback()
        if "deadlock" in str(exc).lower():  # PostgreSQL chose us as the loser of a race
            raise Conflict(NOT_READY, code="task.not_ready") from exc
        raise
    except BaseException:
        session.rollback()
        raise
