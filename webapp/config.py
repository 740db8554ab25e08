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
        "MAX_CONTENT_LENGTH", "MAX_REQUEST_BYTES", "BPMN_DIR", "INSTANCE_DIR", "FILES_DIR",
        "MAX_UPLOAD_BYTES", "SESSION_COOKIE_SECURE", "PROXY_FIX", "BASE_URL",
        "SCHEDULER_INTERVAL_S", "SCHEDULER_IN_SERVE")


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


_CASTS: dict[str, Any] = {"SCRIPT_TIMEOUT_S": float, "MAX_CONTENT_LENGTH": int,
                          "MAX_REQUEST_BYTES": int, "MAX_UPLOAD_BYTES": int, "PROXY_FIX": int,
                          "SCHEDULER_INTERVAL_S": float, "SCHEDULER_IN_SERVE": _flag,
                          "TESTING": _flag, "SESSION_COOKIE_SECURE": _flag}
# How many files a form sends at once at most (the start page of a proposal): the request
# limit's default leaves room for that many files of the largest size, and the form.
FILES_PER_REQUEST = 4


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
        # Over HTTPS the session cookie is Secure anyway; True forces it everywhere.
        "SESSION_COOKIE_SECURE": False,
        # Proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        "PROXY_FIX": 0,
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
    # The per-request limit (MAX_REQUEST_BYTES; MAX_CONTENT_LENGTH is its older name): by
    # default as many files of the per-file limit as a form sends, plus the form around them.
    request_limit = config.get("MAX_REQUEST_BYTES") or config.get("MAX_CONTENT_LENGTH") or (
        FILES_PER_REQUEST * int(config["MAX_UPLOAD_BYTES"]) + 1024 * 1024)
    config["MAX_REQUEST_BYTES"] = config["MAX_CONTENT_LENGTH"] = int(request_limit)
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
