"""The thin Flask interface: pages per role, the REST API, the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from webapp.config import load_config
from webapp.services import Services


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory; ``config`` takes the ``TDKT_*`` keys without the prefix."""
    settings = load_config(config)
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings)
    app.config.update(
        API_TITLE="TĐKT Workflow API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    Services.init_app(app)

    from webapp.api import init_api
    from webapp.pages import bp as pages_bp

    init_api(app)
    app.register_blueprint(pages_bp)
    return app
