"""The shipped diagrams mark their return-for-supplement steps so the people of the unit
are told their dossier came back (engine/notify.py reads ``notifyKind``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
RETURNED = {  # diagram -> the user tasks entered after a return
    "annual_title_nomination.bpmn": {"supplement"},
    "thematic_award.bpmn": {"supplement"},
    "adhoc_award.bpmn": {"supplement"},
    "emulation_registration.bpmn": {"correct"},
    "province_forwarding.bpmn": {"prepare_dossier"},
}


def notify_kinds(name: str) -> dict[str, str]:
    root = etree.parse(str(BPMN / name), etree.XMLParser(resolve_entities=False)).getroot()
    out = {}
    for task in root.iterfind(".//bpmn:userTask", NS):
        for prop in task.iterfind(".//spiffworkflow:property", NS):
            if prop.get("name") == "notifyKind":
                out[task.get("id")] = prop.get("value")
    return out


@pytest.mark.parametrize("name", sorted(RETURNED))
def test_return_steps_say_the_dossier_was_returned(name: str) -> None:
    assert notify_kinds(name) == dict.fromkeys(RETURNED[name], "dossier.returned")
