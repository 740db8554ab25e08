"""The modeler opens with the whole diagram to the right of the palette, so no lane or
pool label is under it (1280 px and 375 px); screenshots modeler_fit_1280.png and
modeler_fit_375.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.test_modeler import copy_deployed, open_modeler  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

COVERED = """() => {
  const palette = document.querySelector('.djs-palette').getBoundingClientRect();
  const m = window.tdktModeler, reg = m.get('elementRegistry');
  const labels = reg.filter(e => e.type === 'bpmn:Lane' || e.type === 'bpmn:Participant')
    .map(e => reg.getGraphics(e).querySelector('text'));
  const hidden = labels.filter(Boolean).map(t => [t.textContent, t.getBoundingClientRect()])
    .filter(([, r]) => r.left < palette.right && r.right > palette.left
                       && r.top < palette.bottom && r.bottom > palette.top)
    .map(([text]) => text);
  return { count: labels.filter(Boolean).length, hidden };
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_no_lane_label_is_under_the_palette(web: Watched, live_server: LiveServer,
                                            copy_deployed: str, width: int) -> None:  # noqa: F811
    web.page.set_viewport_size({"width": width, "height": 900})
    page = open_modeler(web)
    found = page.evaluate(COVERED)
    assert found["count"] >= 2, found
    assert found["hidden"] == [], found
    page.locator("#tdkt-canvas").screenshot(path=str(web.shot(f"modeler_fit_{width}")))
    web.assert_clean()


DIAGRAM_WIDTH = """() => {
  const canvas = document.getElementById('tdkt-canvas').getBoundingClientRect();
  const diagram = document.querySelector('#tdkt-canvas .djs-container svg .viewport')
    .getBoundingClientRect();
  return [diagram.width, canvas.width];
}"""


@pytest.mark.parametrize("lang,label", [("vi", "Công cụ vẽ"), ("en", "Drawing tools")])
def test_on_a_phone_the_palette_folds_away_and_the_diagram_has_the_width(
        web: Watched, live_server: LiveServer, copy_deployed: str,  # noqa: F811
        lang: str, label: str) -> None:
    web.page.set_viewport_size({"width": 375, "height": 800})
    page = open_modeler(web, f"/admin/processes/{copy_deployed}/v1?lang={lang}")
    toggle = page.get_by_role("button", name=label)
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".djs-palette").is_visible()
    diagram, canvas = page.evaluate(DIAGRAM_WIDTH)
    assert diagram >= 0.85 * canvas, (diagram, canvas)  # beside the palette: about 0.6
    page.locator("#tdkt-canvas").screenshot(path=str(web.shot(f"modeler_phone_{lang}")))
    toggle.click()
    assert page.locator(".djs-palette").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.locator("#tdkt-canvas").screenshot(
        path=str(web.shot(f"modeler_phone_palette_{lang}")))
    toggle.click()
    assert not page.locator(".djs-palette").is_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    assert page.locator(".djs-palette").is_visible() and not toggle.is_visible()
    page.goto(f"/admin/processes/{copy_deployed}/v1?lang=vi")
    web.assert_clean()
