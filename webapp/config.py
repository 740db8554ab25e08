"""Configuration from ``TDKT_*`` environment variables, or a mapping for tests.

``create_app({"DATABASE_URL": ..., "TESTING": True})`` takes the same keys as
the environment without the ``TDKT_`` prefix.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("TDKT_INSTANCE_DIR", PROJECT_ROOT / "instance"))

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": f"sqlite:///{INSTANCE_DIR / 'tdkt.db'}",
    "SECRET_KEY": None,
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "SCRIPT_TIMEOUT_S": 5.0,
    "TESTING": False,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "BPMN_DIR": str(PROJECT_ROOT / "bpmn"),
    "FILES_DIR": str(INSTANCE_DIR / "files"),
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
}

_CASTS: dict[str, Any] = {"SCRIPT_TIMEOUT_S": float, "MAX_CONTENT_LENGTH": int,
                          "MAX_UPLOAD_BYTES": int,
                          "TESTING": lambda v: str(v).lower() in ("1", "true", "yes")}


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TDKT_*`` environment variables, then ``overrides``."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        env = os.environ.get(f"TDKT_{key}")
        if env is not None:
            config[key] = _CASTS.get(key, str)(env)
    for key, value in (overrides or {}).items():
        config[key] = value
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret()
    return config


def _instance_secret() -> str:
    """A random key kept in the instance folder, so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
