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
