"""The thin Flask interface: pages per role, the REST API, the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request, session
from flask_babel import Babel
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf.csrf import CSRFProtect

from webapp.config import load_config
from webapp.security import init_security
from webapp.services import Services

LANGUAGES = ("vi", "en")


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
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["SESSION_COOKIE_SECURE"]),  # else by request
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE=settings["TIMEZONE"],
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    init_security(app)
    Services.init_app(app)

    from webapp.admin import bp as admin_bp
    from webapp.admin_migrations import bp as admin_migrations_bp
    from webapp.admin_processes import bp as admin_processes_bp
    from webapp.admin_templates import bp as admin_templates_bp
    from webapp.api import init_api
    from webapp.auth import init_auth
    from webapp.council_pages import bp as council_bp
    from webapp.inbox import bp as inbox_bp
    from webapp.instances_pages import bp as instances_bp
    from webapp.movements_pages import bp as movements_bp
    from webapp.nominations_pages import bp as nominations_bp
    from webapp.notifications_pages import bp as notifications_bp
    from webapp.pages import bp as pages_bp
    from webapp.registry_pages import bp as registry_pages_bp
    from webapp.tasks_pages import bp as tasks_bp

    init_api(app)
    _init_pages(app)
    init_auth(app)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(instances_bp)
    app.register_blueprint(nominations_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(movements_bp)
    app.register_blueprint(registry_pages_bp)
    app.register_blueprint(admin_processes_bp)
    app.register_blueprint(admin_templates_bp)
    app.register_blueprint(admin_migrations_bp)
    app.register_blueprint(council_bp)
    return app


def _init_pages(app: Flask) -> None:
    """CSRF on every form of the pages (the API uses bearer tokens), and the language."""
    csrf = CSRFProtect(app)
    for blueprint in app.blueprints.values():
        if isinstance(blueprint, ApiBlueprint):
            csrf.exempt(blueprint)
    Babel(app, locale_selector=_locale)

    @app.context_processor
    def _languages() -> dict[str, Any]:
        return {"languages": LANGUAGES, "current_language": _locale(),
                "language_url": language_url}


def language_url(code: str) -> str:
    """This page in another language: the same path and query (filters, page), ``lang`` set."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', code)])}"


def _locale() -> str:
    """Vietnamese unless ``?lang=en`` asked otherwise; the choice stays in the session."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "vi"
