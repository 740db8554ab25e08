"""The one SpiffWorkflow parser subclass of the engine.

It parses through the hardened XML parser and reads the few extensions the
engine understands on user tasks: ``formKey`` and ``dueWorkingDays`` from
``spiffworkflow:properties``, or ``camunda:formKey`` for diagrams drawn in
Camunda Modeler. Timer events get the engine's timer classes
(``engine.specs.timers``): SpiffWorkflow's, on the engine's clock.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffIntermediateThrowEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.task_spec import UserTaskParser

from engine.specs.timers import TimerParsingMixin

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


class TdktUserTaskParser(UserTaskParser):
    """Adds ``camunda:formKey`` to the task's properties when no spiff formKey is set."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        target = self.node if node is None else node
        camunda_key = target.get(f"{{{CAMUNDA_NS}}}formKey")
        if camunda_key:
            props = extensions.setdefault("properties", {})
            props.setdefault("formKey", camunda_key)
        return extensions


class TdktStartEventParser(TimerParsingMixin, SpiffStartEventParser):
    pass


class TdktBoundaryEventParser(TimerParsingMixin, SpiffBoundaryEventParser):
    pass


class TdktIntermediateCatchEventParser(TimerParsingMixin, SpiffIntermediateCatchEventParser):
    pass


class TdktIntermediateThrowEventParser(TimerParsingMixin, SpiffIntermediateThrowEventParser):
    pass


def _with_spec(tag: str, parser: type) -> dict[str, tuple[type, type]]:
    """Our parser class for ``tag``, with SpiffWorkflow's task spec class."""
    return {full_tag(tag): (parser, SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1])}


class TdktBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser that only ever sees XML parsed by ``engine.specs.xmlsafe``."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        **_with_spec("userTask", TdktUserTaskParser),
        **_with_spec("startEvent", TdktStartEventParser),
        **_with_spec("boundaryEvent", TdktBoundaryEventParser),
        **_with_spec("intermediateCatchEvent", TdktIntermediateCatchEventParser),
        **_with_spec("intermediateThrowEvent", TdktIntermediateThrowEventParser),
    }

    def __init__(self) -> None:
        super().__init__(validator=VALIDATOR)

    def add_bpmn_str(self, bpmn_str: Any, filename: str | None = None) -> None:
        from engine.specs.xmlsafe import parse_xml

        self.add_bpmn_xml(parse_xml(bpmn_str), filename)

    def add_bpmn_io(self, file_like_object: Any, filename: str | None = None) -> None:
        self.add_bpmn_str(file_like_object.read(), filename)

    def add_dmn_str(self, dmn_str: Any, filename: str | None = None) -> None:
        from engine.specs.xmlsafe import parse_xml

        self.add_dmn_xml(parse_xml(dmn_str), filename)

    def add_dmn_io(self, file_like_object: Any, filename: str | None = None) -> None:
        self.add_dmn_str(file_like_object.read(), filename)

    def add_dmn_files(self, filenames: Any) -> None:
        for filename in filenames:
            with open(filename, "rb") as fh:
                self.add_dmn_str(fh.read(), filename)

    def add_bpmn_files(self, filenames: Any) -> None:
        for filename in filenames:
            with open(filename, "rb") as fh:
                self.add_bpmn_str(fh.read(), filename)

