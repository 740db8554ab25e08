"""What every response says for the browser's safety, and cookies that follow HTTPS.

- The session cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request
  came over HTTPS (also behind a proxy, with ``TDKT_PROXY_FIX`` = the number of proxies
  whose ``X-Forwarded-*`` headers to trust, werkzeug's ProxyFix). ``TDKT_SESSION_COOKIE_
  SECURE=true`` makes it Secure even over plain HTTP (a proxy that does not say).
- Pages may not be framed (clickjacking), types are not sniffed, the referrer stays on
  the site, and a Content-Security-Policy allows only the app's own bundle: no inline or
  foreign script; style attributes are allowed (the diagrams and a few templates set them).
- The decision-table editor alone also allows inline ``<style>`` elements
  (``EDITOR_CSP``): dmn-js's FEEL cell editor (CodeMirror) injects its styles at run time
  and takes no nonce. Scripts stay locked to the bundle there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, request, send_file
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from engine.search import without_accents


def _policy(style_src: str) -> str:
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style_src}",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


CSP = _policy("'self'")
EDITOR_CSP = _policy("'self' 'unsafe-inline'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# A stored file (dossier attachment, tally minutes, scan) is downloaded, never run.
FILE_CSP = "default-src 'none'; sandbox"
RFC5987_SAFE = "!#$&+-.^_`|~"  # attr-chars kept as they are in ``filename*`` (as werkzeug)


def send_stored_file(meta: Mapping[str, Any], path: Path) -> Response:
    """A stored file as a download: its name and type from ``meta`` (``filename``,
    ``content_type``, ``sha256`` as the ETag, so a repeated request may get 304), private
    to the person, not sniffed, and sandboxed should the browser open it anyway."""
    name = meta["filename"]
    response = send_file(path, mimetype=meta["content_type"], as_attachment=True,
                         download_name=name, etag=meta["sha256"], conditional=True, max_age=0)
    if not name.isascii():  # werkzeug's plain-ASCII name drops đ, Đ: fold them instead
        plain = without_accents(name).encode("ascii", "ignore").decode("ascii")
        response.headers.set("Content-Disposition", "attachment", filename=plain,
                             **{"filename*": f"UTF-8''{quote(name, safe=RFC5987_SAFE)}"})
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return with_policy(response, FILE_CSP)


def with_policy(response: Response, policy: str) -> Response:
    """``response`` with its own Content-Security-Policy (kept by the after-request hook)."""
    response.headers["Content-Security-Policy"] = policy
    return response


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; Secure when forced or when the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_security(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies,  # type: ignore[method-assign]
                                x_proto=proxies, x_host=proxies, x_port=proxies,
                                x_prefix=proxies)
    app.session_interface = HttpsAwareSessions()

    @app.after_request
    def _safety_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
