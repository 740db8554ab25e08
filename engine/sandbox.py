"""Sandbox for admin-written BPMN scripts and gateway conditions.

Code is compiled with RestrictedPython (no imports, no names or attributes starting
with ``_``), runs against a small allow-list of builtins and under a per-run time limit
enforced with a thread-local ``sys.settrace`` hook.
"""

from __future__ import annotations

import builtins
import operator
import sys
import time
import types
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment

from engine.sandbox_messages import vietnamese

# SpiffWorkflow locates the failing line by looking for frames named '<string>'.
SCRIPT_FILENAME = "<string>"
RANGE_LIMIT = 100_000
# Reading the clock on every line would double the tracing overhead; every 64 lines is
# still far below the timeout resolution anybody cares about.
_CHECK_EVERY = 64


class ScriptRuleError(Exception):
    """A script or expression breaks a sandbox rule (found at compile time).

    Attributes:
        errors: RestrictedPython's messages in Vietnamese (``engine.sandbox_messages``),
            e.g. 'Dòng 1: tên biến «__import__» không được phép vì bắt đầu bằng ...'.
        originals: the same messages as RestrictedPython wrote them (English), for
            pages shown in English.
    """

    def __init__(self, errors: list[str], originals: list[str] | None = None) -> None:
        # args[0] must be a str: SpiffWorkflow concatenates it into its error detail.
        super().__init__("; ".join(errors))
        self.errors = errors
        self.originals = originals if originals is not None else list(errors)


class ScriptTimeout(Exception):
    """A script ran longer than its time limit."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython policy, stricter where the time limit needs it."""

    def visit_Try(self, node: Any) -> Any:
        # A bare `except:` or a `finally:` would run on after ScriptTimeout, and Python
        # removes a trace function that raised, so the rest would run unbounded.
        self.error(node, "try/except/finally statements are not allowed.")
        return node

    def visit_Import(self, node: Any) -> Any:
        # RestrictedPython only fails imports at run time (no __import__); say it up front.
        self.error(node, "import statements are not allowed.")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: Any) -> Any:
        # Fail at compile time with a clear message instead of a NameError at run time.
        self.error(node, "class definitions are not allowed.")
        return node


@lru_cache(maxsize=2048)
def compile_script(source: str, mode: str = "exec") -> types.CodeType:
    """Compile a script or expression under the sandbox rules (cached by source and mode).

    Args:
        source: Python source written by an admin.
        mode: "exec" for scripts, "eval" for expressions.

    Returns:
        The code object.

    Raises:
        ScriptRuleError: the source has syntax errors or breaks a sandbox rule.
    """
    if mode not in ("eval", "exec"):
        raise ValueError(f"unknown mode {mode!r}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    if result.errors or result.code is None:
        originals = list(result.errors or ["compilation failed"])
        raise ScriptRuleError([vietnamese(e) for e in originals], originals)
    return result.code


def check_script(source: str, mode: str = "exec") -> list[str]:
    """Return the problems of a script or expression ([] when fine) without running it."""
    return [vi for vi, _original in script_errors(source, mode)]


def script_errors(source: str, mode: str = "exec") -> list[tuple[str, str]]:
    """Like ``check_script``: each problem as (Vietnamese, RestrictedPython's English)."""
    try:
        compile_script(source, mode)
    except ScriptRuleError as err:
        return list(zip(err.errors, err.originals, strict=True))
    return []


@lru_cache(maxsize=2048)
def _compile_expression(expression: str) -> tuple[types.CodeType, bool]:
    """Compile an expression and tell whether it needs the time limit.

    Without nested code objects (comprehensions, lambdas) an expression has no backward
    jumps, so it cannot loop and the ~1 us tracing setup can be skipped.
    """
    code = compile_script(expression, "eval")
    return code, any(isinstance(c, types.CodeType) for c in code.co_consts)


def _limited_range(*args: int) -> range:
    r = range(*args)
    # Slicing and truth-testing a range never materialises it nor overflows on huge ints.
    if r[RANGE_LIMIT:]:
        raise ValueError(f"range() is limited to {RANGE_LIMIT} items in scripts")
    return r


# fmt: off
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "<<=": operator.ilshift, ">>=": operator.irshift, "|=": operator.ior,
    "^=": operator.ixor, "&=": operator.iand, "@=": operator.imatmul,
}
# fmt: on


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    return _INPLACE_OPS[op](target, value)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_ALLOWED_BUILTINS = (
    "len min max sum sorted round str int float bool dict list any all abs enumerate zip "
    "isinstance tuple set True False None"
)
# C code such as date.strftime() imports "time" (and strptime "_strptime") through the
# caller's builtins; scripts cannot name __import__ (leading underscore), so this one
# serves only those internal imports.
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, *args: Any, **kwargs: Any) -> types.ModuleType:
    if name not in _INTERNAL_IMPORTS:
        raise ImportError(f"import of {name!r} is not allowed in scripts")
    return builtins.__import__(name, *args, **kwargs)


_SAFE_BUILTINS: dict[str, Any] = {
    **{name: getattr(builtins, name) for name in _ALLOWED_BUILTINS.split()},
    "range": _limited_range,
    "date": date,
    "datetime": datetime,
    "timedelta": timedelta,
    "__import__": _internal_import,
}

# The deadline helper every command's scripts and timers see (engine.runtime.scripting).
WORKING_DAYS = "working_days"
# Task data may not use these names: as globals they would hide the builtins scripts use.
RESERVED_NAMES: frozenset[str] = frozenset(
    {k for k in _SAFE_BUILTINS if not k.startswith("_")} | {WORKING_DAYS})

# What a script may leave in task data: what the serializer stores and JSON shows.
_STORABLE_SCALARS = (str, int, float, bool, type(None), date, datetime, timedelta)


def unstorable(value: Any, depth: int = 0) -> str | None:
    """The type name of the first value that cannot be stored in task data, or None."""
    if depth > 50:
        return "nesting deeper than 50 levels"
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return "NaN/Infinity"
    if isinstance(value, _STORABLE_SCALARS):
        return None
    if isinstance(value, (list, tuple)):
        return next((r for v in value if (r := unstorable(v, depth + 1))), None)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"dict key of type {type(k).__name__}"
            found = unstorable(v, depth + 1)
            if found:
                return found
        return None
    return type(value).__name__

# Names the RestrictedPython-transformed code calls. They are put into the globals last,
# so task data can never shadow them.
_GUARDS: dict[str, Any] = {
    "__builtins__": _SAFE_BUILTINS,
    "_getattr_": safer_getattr_raise,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_print_": PrintCollector,
}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment running task scripts in the sandbox."""

    def __init__(
        self, timeout_s: float = 5.0, environment_globals: dict[str, Any] | None = None
    ) -> None:
        """Create the environment.

        Args:
            timeout_s: wall-clock limit per script or expression, in seconds.
            environment_globals: extra helper names (functions or values) for scripts.
        """
        super().__init__(dict(environment_globals or {}))
        self.timeout_s = timeout_s

    def _globals(
        self, context: dict[str, Any], external_context: dict[str, Any] | None
    ) -> dict[str, Any]:
        # Same precedence as TaskDataEnvironment: helpers < external < task data.
        g = self.globals.copy()
        if external_context:
            g.update(external_context)
        g.update(context)
        g.update(_GUARDS)
        return g

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        """Evaluate an expression against task data; the data dict is not modified."""
        code, may_loop = _compile_expression(expression)
        g = self._globals(context, external_context)
        return self._run(code, g) if may_loop else eval(code, g)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run a script; its assignments and deletions are applied to ``context``.

        Context is only updated when the script succeeds, so a failed script can be
        retried from the same data (in-place mutations of lists/dicts still persist).

        Raises:
            ValueError: task data has a key equal to a helper name.
        """
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        code = compile_script(script, "exec")
        g = self._globals(context, external_context)
        self._run(code, g)
        results: dict[str, Any] = {}
        for key, value in g.items():
            # self.globals is read live: SpiffWorkflow users sometimes add helpers later.
            if key in _GUARDS or key in self.globals or key in external_context:
                continue
            if callable(value) or isinstance(value, types.ModuleType):
                continue
            bad = unstorable(value)
            if bad:
                raise TypeError(f"the script left {key!r} holding a value that cannot be "
                                f"stored in task data ({bad}); convert it to a list, "
                                f"dict, str or number")
            results[key] = value
        for key in [k for k in context if k not in g]:
            del context[key]
        for key in [k for k in context if k not in results]:
            context.pop(key, None)
        context.update(results)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not run through the sandbox."""
        raise NotImplementedError

    def check_for_overwrite(
        self, context: dict[str, Any], external_context: dict[str, Any]
    ) -> None:
        """Refuse task data that would hide a helper (as TaskDataEnvironment does)."""
        clashes = (set(self.globals) | set(external_context)).intersection(context)
        if clashes:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please change "
                f"the following variable or field name(s) to something else: {clashes}"
            )

    def _run(self, code: types.CodeType, g: dict[str, Any]) -> Any:
        """Run code under the time limit, in the calling thread."""
        deadline = time.monotonic() + self.timeout_s
        countdown = _CHECK_EVERY
        expired = False

        def trace_lines(frame: Any, event: str, arg: Any) -> Any:
            nonlocal countdown, expired
            if event == "line":
                countdown -= 1
                if countdown <= 0:
                    countdown = _CHECK_EVERY
                    if time.monotonic() > deadline:
                        expired = True
                        raise ScriptTimeout(f"script exceeded its {self.timeout_s:g}s time limit")
            return trace_lines

        def trace_calls(frame: Any, event: str, arg: Any) -> Any:
            # Only sandboxed frames are traced: helpers and guards are trusted and fast.
            return trace_lines if frame.f_code.co_filename == SCRIPT_FILENAME else None

        previous = sys.gettrace()
        sys.settrace(trace_calls)  # affects the current thread only
        try:
            result = eval(code, g)  # restricted code, guarded globals
        finally:
            sys.settrace(previous)
        if expired:
            # The timeout was swallowed somewhere (e.g. by a helper): still report it.
            raise ScriptTimeout(f"script exceeded its {self.timeout_s:g}s time limit")
        return result
