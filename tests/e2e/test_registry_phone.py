"""The award registry (/registry) on a phone: one card per award, nothing cut off or
scrolled sideways; the table on a laptop. The demo's registry has 100+ awards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in, log_out

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import Watched

OVERFLOWING = """() => [...document.querySelectorAll('main *')]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
                 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => e.tagName + '.' + e.className)"""


def test_the_registry_is_cards_on_a_phone_and_a_table_on_a_laptop(
        web: Watched, phone: Watched) -> None:
    page = phone.page
    log_in(phone, "thuky")
    page.goto("/registry")
    cards = page.get_by_role("list", name="Khen thưởng đã ghi sổ")
    assert cards.is_visible() and cards.get_by_role("listitem").count() >= 20
    assert not page.locator("main table").is_visible()
    assert "Quyết định:" in cards.get_by_role("listitem").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(OVERFLOWING) == []  # no box scrolls nor hides its content
    assert audit(phone, "registry@375") == []
    phone.shot("registry-375")
    phone.assert_clean()
    log_out(phone)

    log_in(web, "thuky")
    web.page.goto("/registry")
    assert web.page.locator("main table").is_visible()
    assert not web.page.get_by_role("list", name="Khen thưởng đã ghi sổ").is_visible()
    web.assert_clean()
    log_out(web)
