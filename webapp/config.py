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

from engine.mail.compose import DEFAULT_BASE_URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent

KEYS = ("DATABASE_URL", "SECRET_KEY", "TIMEZONE", "SCRIPT_TIMEOUT_S", "TESTING",
        "MAX_CONTENT_LENGTH", "BPMN_DIR", "INSTANCE_DIR", "FILES_DIR", "MAX_UPLOAD_BYTES",
        "SESSION_COOKIE_SECURE", "BASE_URL", "SCHEDULER_INTERVAL_S", "SCHEDULER_IN_SERVE")

_CASTS: dict[str, Any] = {"SCRIPT_TIMEOUT_S": float, "MAX_CONTENT_LENGTH": int,
                          "MAX_UPLOAD_BYTES": int, "SCHEDULER_INTERVAL_S": float,
                          "SCHEDULER_IN_SERVE": lambda v: str(v).lower() in ("1", "true", "yes"),
                          "TESTING": lambda v: str(v).lower() in ("1", "true", "yes"),
                          "SESSION_COOKIE_SECURE":
                              lambda v: str(v).lower() in ("1", "true", "yes")}


def _defaults(instance_dir: Path) -> dict[str, Any]:
    return {
        "INSTANCE_DIR": str(instance_dir),
        "DATABASE_URL": f"sqlite:///{instance_dir / 'tdkt.db'}",
        "SECRET_KEY": None,
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "SCRIPT_TIMEOUT_S": 5.0,
        "TESTING": False,
        "BPMN_DIR": str(PROJECT_ROOT / "bpmn"),
        "FILES_DIR": str(instance_dir / "files"),
        "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
        # The address people open the app at: links in notification e-mails start with it.
        "BASE_URL": DEFAULT_BASE_URL,
        # The scheduler (timers, reminders): every N seconds; `tdkt serve` runs one
        # beside the web server unless SCHEDULER_IN_SERVE is false.
        "SCHEDULER_INTERVAL_S": 30.0,
        "SCHEDULER_IN_SERVE": True,
    }


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TDKT_*`` environment variables, then ``overrides``.

    Everything is read when called (nothing at import time), so ``INSTANCE_DIR``
    given to ``create_app`` moves the database, the files and the secret key too.
    """
    given: dict[str, Any] = {}
    for key in KEYS:
        env = os.environ.get(f"TDKT_{key}")
        if env is not None:
            given[key] = _CASTS.get(key, str)(env)
    given.update(overrides or {})
    instance_dir = Path(given.get("INSTANCE_DIR") or PROJECT_ROOT / "instance")
    config = {**_defaults(instance_dir), **given}
    # A request may carry one file of the upload limit plus the form around it.
    config.setdefault("MAX_CONTENT_LENGTH", int(config["MAX_UPLOAD_BYTES"]) + 1024 * 1024)
    if not str(config["BASE_URL"]).startswith(("http://", "https://")):
        raise ValueError(f"TDKT_BASE_URL must start with http:// or https://, "
                         f"got {config['BASE_URL']!r}")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_dir)
    return config


def _instance_secret(instance_dir: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts."""
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
