"""The layering is enforced: webapp -> workflows -> engine, and no Flask below webapp."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_engine_never_imports_flask_at_runtime() -> None:
    code = ("import sys, engine.service, engine.identity, workflows; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'webapp')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
