"""Browser tests: the real app served from a thread, driven by Playwright in Chromium.

pytest-playwright provides the ``playwright``, ``browser_type`` and ``launch_browser``
fixtures; ``playwright install`` cannot download browsers here, so its launch arguments
point at Debian's Chromium (``TDKT_CHROMIUM``, default ``/usr/bin/chromium``; ``.ci/run``
installs it). The tests skip with a reason when pytest-playwright, Chromium or the
front-end bundle is missing, or Chromium does not start. SQLite only: one database is
enough for what a browser sees.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask

from engine import identity
from webapp import create_app
from webapp.demo import load_demo

CHROMIUM = os.environ.get("TDKT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DIST = Path(__file__).resolve().parents[2] / "webapp" / "static" / "dist"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@dataclass
class LiveServer:
    """The app with the demo loaded, served on ``url`` (http://127.0.0.1:<port>)."""

    app: Flask
    url: str


@dataclass
class Watched:
    """A page and the console errors and uncaught exceptions seen on it."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def assert_clean(self, expected: str | None = None) -> None:
        """No console error nor page error since the last check (then forget them).

        ``expected``: one error that must be there and is no fault, e.g. the 422 status of
        a form sent back with its errors, which Chromium logs as a failed resource.
        """
        seen, self.errors[:] = list(self.errors), []
        if expected is not None:
            hits = [e for e in seen if expected in e]
            assert len(hits) == 1, f"expected one console error with {expected!r}: {seen}"
            seen.remove(hits[0])
        assert not seen, f"console errors on {self.page.url}: {seen}"

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
                ) -> Iterator[LiveServer]:
    """A werkzeug server in a thread on a free port, on a migrated SQLite with the demo."""
    for name in ("main.js", "diagram.js"):
        if not (DIST / name).is_file():
            pytest.skip(f"front-end bundle missing ({name}): run npm run build "
                        "(make install does)")
    from werkzeug.serving import make_server

    root = tmp_path_factory.mktemp("e2e")
    shutil.copy(sqlite_template, root / "e2e.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{root / 'e2e.db'}", "SECRET_KEY": "x",
                      "INSTANCE_DIR": str(root)})
    with pytest.MonkeyPatch.context() as mp:  # argon2's defaults cost ~80 ms a user
        mp.setattr(identity, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                       parallelism=1))
        lines = list(load_demo(app.extensions["tdkt"], Path(app.config["BPMN_DIR"])))
    assert lines[-1] == "Dữ liệu mẫu đã sẵn sàng.", lines
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)


try:
    import pytest_playwright  # noqa: F401  (the plugin whose fixtures launch the browser)
except ImportError:
    @pytest.fixture(scope="session")
    def browser() -> Iterator[Any]:
        pytest.skip("pytest-playwright is not installed (pip install -e '.[dev]')")
        yield None
else:
    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
        """pytest-playwright's launch arguments, with Debian's Chromium and its flags."""
        if not Path(CHROMIUM).is_file():
            pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set "
                        "TDKT_CHROMIUM)")
        return {**browser_type_launch_args, "executable_path": CHROMIUM,
                "args": CHROMIUM_ARGS}

    @pytest.fixture(scope="session")
    def browser(launch_browser: Any) -> Iterator[Any]:
        """pytest-playwright's browser, skipping with the reason when it cannot start."""
        try:
            chromium = launch_browser()
        except Exception as exc:  # any launch failure: cannot test here
            pytest.skip(f"Playwright cannot start Chromium at {CHROMIUM}: {exc}")
        yield chromium
        chromium.close()


def _watch(page: Any, favicon: bool = False) -> Watched:
    """Collect the page's console errors and uncaught exceptions.

    Chromium asks every site for /favicon.ico, which the app does not serve yet (a 404
    logged as a console error): ignored unless ``favicon`` (see test_favicon_is_served).
    """
    watched = Watched(page)

    def on_console(msg: Any) -> None:
        if msg.type != "error":
            return
        if not favicon and (msg.location or {}).get("url", "").endswith("/favicon.ico"):
            return
        watched.errors.append(f"{msg.text} ({(msg.location or {}).get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watched.errors.append(f"pageerror: {exc}"))
    page.set_default_timeout(10_000)
    return watched


@pytest.fixture
def web(browser: Any, live_server: LiveServer) -> Iterator[Watched]:
    """A fresh browser context (no cookies) on a laptop-sized window, Vietnamese."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                  viewport={"width": 1280, "height": 900})
    yield _watch(context.new_page())
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Watched]:
    """A fresh browser context 375 px wide, as a phone."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                  viewport={"width": 375, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    yield _watch(context.new_page())
    context.close()
