"""A trial run of a numbering step (the migration's dry run) renders its documents, so a
broken template refuses it as it would refuse the real move, but stores nothing: the
trial's database writes are rolled back, and no file may stay behind either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.roles import SYSTEM
from workflows.documents.render import RenderError
from workflows.handlers import documents


def _call(dry_run: bool) -> ServiceCall:
    return ServiceCall(session=None, instance_id=7, process_key="p",  # type: ignore[arg-type]
                       element_id="issue", actor=SYSTEM, data={}, dry_run=dry_run)


def _handler(build: Any, files: Path, stored: list[Any],
             monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(documents, "generate",
                        lambda *args: stored.append(args) or [{"item": "quyet_dinh"}])
    return documents._wrap(lambda call: {"decision_no": "07/QĐ-VP"}, build, files)


def test_a_trial_renders_but_stores_nothing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    stored: list[Any] = []

    def build(*args: Any) -> list[str]:
        built.append(1)
        return ["rendered decision"]

    handler = _handler(build, tmp_path, stored, monkeypatch)
    assert handler(_call(dry_run=True)) == {"decision_no": "07/QĐ-VP"}
    assert built == [1] and stored == []
    assert handler(_call(dry_run=False))["documents"] == [{"item": "quyet_dinh"}]
    assert len(stored) == 1


def test_a_broken_template_refuses_the_trial_too(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def build(*args: Any) -> list[str]:
        raise RenderError("mẫu quyet_dinh.html lỗi")

    handler = _handler(build, tmp_path, [], monkeypatch)
    with pytest.raises(InvalidData) as refused:
        handler(_call(dry_run=True))
    assert refused.value.code == "document.render_failed"
