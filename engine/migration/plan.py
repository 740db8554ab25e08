"""Can one instance move to another version, and what would change? (kiểm tra di chuyển)

Everything here works in memory on a restored workflow and writes nothing: the dry
run and the real migration share it. SpiffWorkflow does the alignment and the move
(``SpiffWorkflow.bpmn.util.diff``): task specs are aligned by BPMN id, the ready and
waiting branches are reset and predicted again on the new spec, and the state is then
written and restored onto the target spec by the engine's own serializer, exactly as
the next command will load it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.extensions import FormRegistry
from engine.migration.paths import Flows, check_paths, taken
from engine.roles import role_of_lane
from engine.specs.registry import LoadedSpec
from engine.specs.timers import engine_timers
from engine.store.serializer import SPEC_CONFIG, dump_state, load_state

# Only used to compare task specs attribute by attribute (SpecDiff asks for one).
_SPEC_REGISTRY = BpmnWorkflowSerializer.configure(SPEC_CONFIG)

DONE = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# What a person sees of a step; a change in any of these is reported.
WATCHED = (
    ("title", "Tên bước"),
    ("role", "Vai trò xử lý"),
    ("lane", "Làn (lane)"),
    ("form_key", "Biểu mẫu (form key)"),
    ("due", "Quy tắc hạn xử lý (dueWorkingDays)"),
    ("not_before", "Thời gian chờ tối thiểu (notBeforeWorkingDays)"),
    ("timer", "Hẹn giờ (timer)"),
)


def element_id(spec: Any) -> str:
    return str(getattr(spec, "bpmn_id", None) or spec.name)


def element_label(spec: Any) -> str:
    name = getattr(spec, "bpmn_name", None)
    return f"«{name}» ({element_id(spec)})" if name else element_id(spec)


def step_facts(spec: Any, roles: tuple[str, ...]) -> dict[str, Any]:
    """What the inbox shows of a step: title, lane and role, form key, deadline rules."""
    props = ((getattr(spec, "extensions", None) or {}).get("properties") or {})
    lane = getattr(spec, "lane", None)
    return {
        "title": getattr(spec, "bpmn_name", None) or element_id(spec),
        "lane": lane, "role": role_of_lane(lane, roles),
        "form_key": props.get("formKey"),
        "due": props.get("dueWorkingDays"), "not_before": props.get("notBeforeWorkingDays"),
        "timer": timer_expressions(spec),
    }


def timer_expressions(spec: Any) -> str | None:
    """The expressions of a catching event's timers (None: it has none)."""
    timers = engine_timers(getattr(spec, "event_definition", None))
    return "; ".join(t.expression for t in timers) if timers else None


def _timer_moments(wf: BpmnWorkflow) -> dict[Any, tuple[str | None, Any]]:
    """Waiting timers by task id: their expressions and computed moment."""
    return {task.id: (timer_expressions(task.task_spec), task.internal_data.get("event_value"))
            for task in wf.get_tasks(state=TaskState.WAITING)
            if timer_expressions(task.task_spec) is not None}


def _keep_moments(wf: BpmnWorkflow, before: dict[Any, tuple[str | None, Any]]) -> None:
    """A timer moved with its branch keeps the moment it had when its expression is
    unchanged: moving a dossier does not postpone its deadline."""
    for task in wf.get_tasks(state=TaskState.WAITING):
        expression, moment = before.get(task.id, (None, None))
        if moment is not None and expression == timer_expressions(task.task_spec):
            task.internal_data.pop("event_fired", None)
            task.internal_data["event_value"] = moment


def current_steps(wf: BpmnWorkflow) -> list[str]:
    """BPMN ids of what the instance waits for: ready user tasks and waiting events
    (a waiting timer or message restarts its wait when its branch is moved)."""
    return sorted({element_id(t.task_spec) for t in wf.get_tasks(
        state=TaskState.READY | TaskState.WAITING)
        if t.task_spec.manual or isinstance(t.task_spec, CatchingEvent)})


def boundary_events(spec: Any, name: str) -> list[str]:
    """BPMN ids of the events attached to activity ``name`` of a process spec."""
    split = spec.task_specs.get(f"{name}.BoundaryEventSplit")
    return sorted(element_id(o) for o in split.outputs if o.name != name) if split else []


_EVENT_PARTS = (".BoundaryEventSplit", ".BoundaryEventJoin")


def _activity_of(name: str) -> str | None:
    """The activity whose boundary-event split or join a task spec is, or None."""
    return next((name[:-len(p)] for p in _EVENT_PARTS if name.endswith(p)), None)


def _where(subprocess: str | None) -> str:
    return f" trong quy trình con «{subprocess}»" if subprocess else ""


def _check_boundaries(out: Assessment, name: str, old_spec: Any, new_spec: Any,
                      subprocess: str | None, current: bool) -> None:
    """SpiffWorkflow attaches boundary events when an activity is reached: a step that is
    current (or done) cannot gain or lose them in a move (a new timer would not run)."""
    before, after = boundary_events(old_spec, name), boundary_events(new_spec, name)
    spec = new_spec.task_specs.get(name) or old_spec.task_specs.get(name)
    element = element_id(spec) if spec is not None else name
    if before == after or any(r["code"] == "migration.boundary_changed"
                              and r["element_id"] == element for r in out.reasons):
        return
    label = element_label(spec) if spec is not None else name
    tail = ("hồ sơ di chuyển được sau khi qua bước này" if current
            else "đường đi đã qua không còn hợp lệ")
    reason = ("current" if current else "done") + ("_subprocess" if subprocess else "")
    out.refuse("migration.boundary_changed",
               f"Sự kiện gắn trên bước {'đang xử lý' if current else 'đã làm'} {label}"
               f"{_where(subprocess)} khác ở phiên bản đích ({', '.join(before) or 'không có'}"
               f" → {', '.join(after) or 'không có'}); {tail}.", element,
               reason=reason, step=label, subprocess=subprocess, before=before, after=after)


@dataclass
class Assessment:
    """One instance's answer: may it move, why not, and what would change."""

    reasons: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    steps_before: list[str] = field(default_factory=list)
    steps_after: list[str] = field(default_factory=list)
    workflow: BpmnWorkflow | None = None  # restored on the target spec when it may move

    @property
    def can_move(self) -> bool:
        return not self.reasons

    def refuse(self, code: str, message: str, element: str | None = None,
               **params: Any) -> None:
        """Why it stays: a stable ``code``, the Vietnamese ``message`` and the values in it
        (``params``; ``reason`` where one code has several messages) for other languages."""
        self.reasons.append({"code": code, "element_id": element, "message": message,
                             "params": params})


class Planner:
    """Assesses instances of one version against a target version; caches spec diffs."""

    def __init__(self, source: LoadedSpec, target: LoadedSpec, forms: FormRegistry,
                 roles: tuple[str, ...], script_engine: Any = None,
                 flows: tuple[Flows, Flows] | None = None) -> None:
        self.source = source
        self.target = target
        self.forms = forms
        self.roles = roles
        # Moving a branch computes its timers afresh: in the sandbox, never unguarded.
        self.script_engine = script_engine
        self.flows = flows  # the sequence flows of both versions (engine.migration.paths)
        self._diffs: dict[tuple[int, int], SpecDiff] = {}

    def _diff(self, old: Any, new: Any) -> SpecDiff:
        key = (id(old), id(new))
        if key not in self._diffs:
            self._diffs[key] = SpecDiff(_SPEC_REGISTRY, old, new)
        return self._diffs[key]

    # -- checks -------------------------------------------------------------------
    def _check_tasks(self, out: Assessment, tasks: Any, new_spec: Any,
                     subprocess: str | None = None) -> None:
        """Every started, waiting, ready or finished task keeps its element (by BPMN id),
        and a current step keeps the events attached to it (a boundary timer, say)."""
        for task in tasks:
            spec = task.task_spec
            if task.has_state(CURRENT) and isinstance(spec, BoundaryEvent):
                continue  # told with its activity, below
            if task.has_state(CURRENT) and spec.name in new_spec.task_specs:
                _check_boundaries(out, spec.name, task.workflow.spec, new_spec, subprocess,
                                  True)
            if not task.has_state(DONE | CURRENT) or spec.name in new_spec.task_specs:
                continue
            activity = _activity_of(spec.name)
            if activity is not None:  # SpiffWorkflow's split/join around an activity
                _check_boundaries(out, activity, task.workflow.spec, new_spec, subprocess,
                                  False)
                continue
            where, label = _where(subprocess), element_label(spec)
            params = {"step": label, "subprocess": subprocess,
                      **({"reason": "subprocess"} if subprocess else {})}
            if task.has_state(CURRENT):
                out.refuse("migration.current_step_removed",
                           f"Bước đang xử lý {label}{where} không còn trong phiên bản đích.",
                           element_id(spec), **params)
            else:
                out.refuse("migration.completed_step_removed",
                           f"Bước đã làm {label}{where} bị xoá khỏi phiên bản đích (đường đi "
                           "đã qua không còn hợp lệ).", element_id(spec), **params)

    def _check_subprocesses(self, out: Assessment, wf: BpmnWorkflow) -> dict[Any, Any]:
        """Each running sub-process (call activity, embedded) and its target spec."""
        found: dict[Any, Any] = {}
        for sp_id, sub in wf.subprocesses.items():
            parent = wf.get_task_from_id(sp_id)
            new_sub = self.target.subprocess_specs.get(sub.spec.name)
            new_parent = None
            if parent is not None:
                owner = self._target_spec_of(parent.workflow)
                new_parent = owner.task_specs.get(parent.task_spec.name) if owner else None
            if new_sub is None or getattr(new_parent, "spec", None) != sub.spec.name:
                out.refuse("migration.subprocess_changed",
                           f"Quy trình con «{sub.spec.name}» đang chạy không còn được gọi từ "
                           "cùng bước trong phiên bản đích.",
                           element_id(parent.task_spec) if parent else None,
                           subprocess=sub.spec.name)
                continue
            self._check_tasks(out, sub.tasks.values(), new_sub, sub.spec.name)
            found[sp_id] = new_sub
        return found

    def _target_spec_of(self, workflow: Any) -> Any:
        if workflow.spec is self.source.spec or workflow.spec.name == self.target.spec.name:
            return self.target.spec
        return self.target.subprocess_specs.get(workflow.spec.name)

    # -- what changes ---------------------------------------------------------------
    def _step_changes(self, wf: BpmnWorkflow) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
            owner = self._target_spec_of(task.workflow)
            new = owner.task_specs.get(task.task_spec.name) if owner is not None else None
            if new is None:
                continue
            before, after = step_facts(task.task_spec, self.roles), step_facts(new, self.roles)
            for name, label in WATCHED:
                if before[name] != after[name]:
                    changes.append({"element_id": element_id(new), "field": name,
                                    "label": label, "old": before[name], "new": after[name]})
            if before["form_key"] != after["form_key"]:
                changes.extend(self._new_required_fields(element_id(new), before["form_key"],
                                                         after["form_key"]))
        return changes

    def _required(self, form_key: str | None) -> set[str]:
        if not form_key or form_key not in self.forms:
            return set()
        return {name for name, f in self.forms.schema(form_key).fields.items() if f.required}

    def _new_required_fields(self, element: str, old_key: str | None, new_key: str | None
                             ) -> list[dict[str, Any]]:
        added = sorted(self._required(new_key) - self._required(old_key))
        if not added:
            return []
        return [{"element_id": element, "field": "required_fields",
                 "label": "Trường bắt buộc mới của biểu mẫu", "old": None, "new": added}]

    # -- the move ---------------------------------------------------------------------
    def _move(self, out: Assessment, wf: BpmnWorkflow, subs: dict[Any, Any]) -> None:
        """Move the workflow onto the target in memory, then restore it from its JSON."""
        top_diff = WorkflowDiff(wf, self._diff(wf.spec, self.target.spec))
        sub_diffs = {sp_id: WorkflowDiff(wf.subprocesses[sp_id],
                                         self._diff(wf.subprocesses[sp_id].spec, new_sub))
                     for sp_id, new_sub in subs.items()}
        moments = _timer_moments(wf)
        try:
            migrate_workflow(top_diff, wf, self.target.spec)
            for sp_id, diff in sub_diffs.items():
                if sp_id in wf.subprocesses:
                    migrate_workflow(diff, wf.subprocesses[sp_id], subs[sp_id])
        except Exception as exc:  # e.g. a timer whose new expression fails
            out.refuse("migration.move_failed",
                       f"Không đặt được hồ sơ lên phiên bản đích: {exc}", detail=str(exc))
            return
        _keep_moments(wf, moments)
        for task in wf.get_tasks():
            owner = self._target_spec_of(task.workflow)
            if owner is None or owner.task_specs.get(task.task_spec.name) is not task.task_spec:
                out.refuse("migration.structure_changed",
                           f"Không đặt được bước {element_label(task.task_spec)} lên phiên bản "
                           "đích (cấu trúc sau bước đang chạy đã đổi).",
                           element_id(task.task_spec), step=element_label(task.task_spec))
                return
        try:
            moved = load_state(dump_state(wf), self.target.spec, self.target.subprocess_specs)
        except Exception as exc:  # any failure means: it stays where it is
            out.refuse("migration.restore_failed",
                       f"Không khôi phục được hồ sơ trên phiên bản đích: {exc}",
                       detail=str(exc))
            return
        out.workflow = moved
        out.steps_after = current_steps(moved)

    def assess(self, state_json: str, status: str) -> Assessment:
        """The answer for one instance whose stored state is ``state_json``."""
        out = Assessment()
        if status != "running":
            reason = ("Hồ sơ đang lỗi; cần xử lý lỗi (retry) trước khi di chuyển."
                      if status == "error" else "Hồ sơ đã kết thúc.")
            out.refuse(f"migration.instance_{status}", reason, status=status)
            return out
        wf = load_state(state_json, self.source.spec, self.source.subprocess_specs)
        if self.script_engine is not None:
            wf.script_engine = self.script_engine
        out.steps_before = current_steps(wf)
        self._check_tasks(out, wf.tasks.values(), self.target.spec)
        subs = self._check_subprocesses(out, wf)
        path_changes: list[dict[str, Any]] = []
        if self.flows is not None:
            refused = {str(r["element_id"]) for r in out.reasons if r["element_id"]}
            reasons, path_changes = check_paths(taken(wf.get_tasks()), *self.flows, refused)
            out.reasons.extend(reasons)
        if out.reasons:
            return out
        out.changes = self._step_changes(wf) + path_changes
        self._move(out, wf, subs)
        return out


def diagram_diff(source: LoadedSpec, target: LoadedSpec) -> dict[str, list[str]]:
    """BPMN ids added to and removed from the main process between two versions."""
    def ids(spec: Any) -> set[str]:
        return {element_id(s) for s in spec.task_specs.values()
                if getattr(s, "bpmn_id", None)}
    old, new = ids(source.spec), ids(target.spec)
    return {"added": sorted(new - old), "removed": sorted(old - new)}
