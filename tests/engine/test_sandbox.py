"""Tests for the BPMN script sandbox (engine.sandbox)."""

import sys
import threading
import time
from datetime import date

import pytest

import engine.sandbox as sandbox_module
from engine.sandbox import (
    SandboxEnvironment,
    ScriptRuleError,
    ScriptTimeout,
    check_script,
    compile_script,
)


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment(timeout_s=0.2)


# --- compile-time rules -------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "from os import path",
        '__import__("os")',
        "x = ().__class__.__bases__",
        "x = _secret",
        'exec("x = 1")',
        'eval("1")',
        "try:\n    pass\nexcept:\n    pass",
        "class A:\n    pass",
        "x = (",
    ],
)
def test_forbidden_sources_are_rejected(source: str) -> None:
    assert check_script(source)
    with pytest.raises(ScriptRuleError) as info:
        compile_script(source)
    assert info.value.errors == check_script(source)
    assert isinstance(info.value.args[0], str)


def test_check_script_names_the_offending_name() -> None:
    errors = check_script('__import__("os")')
    assert len(errors) == 1
    assert "__import__" in errors[0] and errors[0].startswith("Dòng 1:")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('__import__("os")', "Dòng 1: tên biến «__import__» không được phép vì bắt đầu bằng"),
        ("import os", "Dòng 1: không được dùng lệnh import."),
        ("obj._secret", "Dòng 1: thuộc tính «_secret» không được phép"),
        ("x = (", "Dòng 1: lỗi cú pháp (SyntaxError: '(' was never closed) tại câu lệnh 'x = ('"),
        ("class A:\n    pass", "Dòng 1: không được định nghĩa lớp (class)."),
        ('exec("1")', "Dòng 1: không được gọi exec()."),
    ],
)
def test_rejections_are_in_vietnamese_with_their_detail(source: str, expected: str) -> None:
    errors = check_script(source)
    assert errors and errors[0].startswith(expected), errors
    assert not any(word in errors[0] for word in ("not allowed", "invalid variable", "Line "))


def test_an_unknown_message_keeps_its_detail_after_a_vietnamese_line() -> None:
    from engine.sandbox_messages import vietnamese

    assert vietnamese("Line 3: Something new.") == "Dòng 3: Something new."


def test_check_script_accepts_valid_code() -> None:
    assert check_script("x = [i * 2 for i in range(3)]") == []
    assert check_script('decision == "approve"', mode="eval") == []


def test_compile_is_cached() -> None:
    assert compile_script("y = 1") is compile_script("y = 1")
    assert compile_script("1", "eval") is not compile_script("1", "exec")


def test_forbidden_script_raises_rule_error_on_execute(env: SandboxEnvironment) -> None:
    with pytest.raises(ScriptRuleError):
        env.execute("import os", {})
    with pytest.raises(ScriptRuleError):
        env.evaluate("().__class__", {})


# --- run-time rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        'open("/etc/passwd")',
        'getattr(x, "__class__")',
        "compile('1', 'f', 'eval')",
        "globals()",
        "type(x)",
    ],
)
def test_dangerous_builtins_are_missing(env: SandboxEnvironment, script: str) -> None:
    with pytest.raises(NameError):
        env.execute(script, {"x": 1})


def test_guarded_getattr_refuses_underscore_names() -> None:
    # What `obj.attr` compiles to; the compiler already rejects literal `obj._x`.
    guarded_getattr = sandbox_module._GUARDS["_getattr_"]
    with pytest.raises(AttributeError):
        guarded_getattr(1, "__class__")
    assert guarded_getattr("a", "upper")() == "A"


def test_attribute_write_refused(env: SandboxEnvironment) -> None:
    with pytest.raises(TypeError):
        env.execute("d = date(2026, 1, 1)\nd.year = 2000", {})
    with pytest.raises(AttributeError):
        env.execute("items.append = 1", {"items": []})
    env.execute("items.append(1)", ctx := {"items": []})
    assert ctx["items"] == [1]


def test_str_format_refused_but_fstrings_work(env: SandboxEnvironment) -> None:
    with pytest.raises(NotImplementedError):
        env.evaluate('"{0.__class__}".format(x)', {"x": 1})
    assert env.evaluate('f"{x:03d}-{s.upper()}"', {"x": 7, "s": "ab"}) == "007-AB"


def test_range_is_limited(env: SandboxEnvironment) -> None:
    with pytest.raises(ValueError, match="limited"):
        env.execute("r = range(10**9)", {})
    with pytest.raises(ValueError):
        env.evaluate("len(range(0, 10**30, 2))", {})
    assert env.evaluate("len(range(100_000))", {}) == 100_000
    assert env.evaluate("list(range(10, 0, -3))", {}) == [10, 7, 4, 1]


# --- time limit ---------------------------------------------------------------------


def test_infinite_loop_times_out(env: SandboxEnvironment) -> None:
    previous = sys.gettrace()
    start = time.monotonic()
    with pytest.raises(ScriptTimeout):
        env.execute("while True:\n    pass", {})
    assert time.monotonic() - start < 2
    assert sys.gettrace() is previous


def test_long_comprehension_in_expression_times_out(env: SandboxEnvironment) -> None:
    with pytest.raises(ScriptTimeout):
        env.evaluate("sum(a * b for a in range(100000) for b in range(100000))", {})


def test_infinite_loop_times_out_in_worker_thread(env: SandboxEnvironment) -> None:
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            env.execute("n = 0\nwhile True:\n    n += 1", {})
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001 - the test inspects it
            outcome.append(err)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert isinstance(outcome[0], ScriptTimeout)


def test_trace_restored_after_error(env: SandboxEnvironment) -> None:
    previous = sys.gettrace()
    with pytest.raises(ZeroDivisionError):
        env.execute("x = 1 / 0", {})
    assert sys.gettrace() is previous


# --- data semantics -----------------------------------------------------------------


def test_mutation_comprehension_and_unpacking(env: SandboxEnvironment) -> None:
    ctx = {"items": [1, 2], "d": {"k": 1}, "name": "  nguyen van a "}
    script = (
        "total = 0\n"
        "for i in items:\n"
        "    total += i\n"
        "items.append(3)\n"
        'd["z"] = {k: v * 2 for k, v in d.items()}\n'
        "a, (b, c) = 1, (2, 3)\n"
        "pairs = [(i, x) for i, x in enumerate(items)]\n"
        "words = name.strip().upper().split()\n"
        'level = d.get("missing", "none")\n'
    )
    assert env.execute(script, ctx) is True
    assert ctx["total"] == 3 and ctx["items"] == [1, 2, 3]
    assert ctx["d"] == {"k": 1, "z": {"k": 2}}
    assert (ctx["a"], ctx["b"], ctx["c"]) == (1, 2, 3)
    assert ctx["pairs"] == [(0, 1), (1, 2), (2, 3)]
    assert ctx["words"] == ["NGUYEN", "VAN", "A"] and ctx["level"] == "none"


def test_date_arithmetic(env: SandboxEnvironment) -> None:
    assert env.evaluate("date(2026, 1, 1) + timedelta(days=3)", {}) == date(2026, 1, 4)
    ctx = {"start": "2026-01-01"}
    env.execute("due = (date.fromisoformat(start) + timedelta(weeks=1)).isoformat()", ctx)
    assert ctx["due"] == "2026-01-08"
    with pytest.raises(ScriptRuleError):
        env.evaluate("date.__subclasses__()", {})


def test_execute_leaves_no_helpers_or_callables(env: SandboxEnvironment) -> None:
    helpers = SandboxEnvironment(environment_globals={"double": lambda v: v * 2, "RATE": 3})
    ctx = {"x": 2}
    helpers.execute(
        'y = double(x) * RATE\nf = lambda: 1\ng = len\nprint("debug")\nDT = datetime\n',
        ctx,
        external_context={"ext": 5},
    )
    assert ctx == {"x": 2, "y": 12}


def test_del_removes_keys(env: SandboxEnvironment) -> None:
    ctx = {"a": 1, "b": 2}
    env.execute("del a\nc = b", ctx)
    assert ctx == {"b": 2, "c": 2}


def test_failed_script_leaves_context_unchanged(env: SandboxEnvironment) -> None:
    ctx = {"a": 1}
    with pytest.raises(NameError):
        env.execute("a = 2\nb = missing", ctx)
    assert ctx == {"a": 1}


def test_evaluate_does_not_change_context() -> None:
    env = SandboxEnvironment(environment_globals={"limit": 10})
    ctx = {"decision": "approve", "amount": 5}
    snapshot = dict(ctx)
    assert env.evaluate('decision == "approve" and amount < limit', ctx) is True
    assert env.evaluate("[x := 3, x][1]", ctx) == 3
    assert ctx == snapshot
    assert env.evaluate("ext + amount", ctx, external_context={"ext": 1}) == 6


def test_task_data_cannot_replace_guards(env: SandboxEnvironment) -> None:
    assert env.evaluate("x.upper()", {"x": "a", "_getattr_": None, "__builtins__": {}}) == "A"


def test_overwrite_check_raises_value_error() -> None:
    env = SandboxEnvironment(environment_globals={"helper": len})
    with pytest.raises(ValueError, match="helper"):
        env.execute("x = 1", {"helper": 1})
    with pytest.raises(ValueError, match="ext"):
        env.execute("x = 1", {"ext": 1}, external_context={"ext": 2})


def test_runtime_errors_propagate_unchanged(env: SandboxEnvironment) -> None:
    with pytest.raises(NameError):
        env.evaluate("unknown_name", {})
    with pytest.raises(ZeroDivisionError):
        env.evaluate("1 / zero", {"zero": 0})


def test_call_service_not_supported(env: SandboxEnvironment) -> None:
    with pytest.raises(NotImplementedError):
        env.call_service({})
