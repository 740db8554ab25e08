"""Throughput benchmark: our engine versus raw SpiffWorkflow on one small diagram.

Run from the project root::

    .venv/bin/python -m bench.engine [--instances N] [--warmup W] [--json PATH]

The diagram (``bench/fixtures/five_tasks.bpmn``) has five sequential user tasks
and an exclusive gateway (``amount > 10``, with a default flow) between tasks 3
and 4; every instance is started with ``amount = 20`` so it walks all five tasks.

Figures (instances walked to the end per second, warm-up excluded):

* ``raw``: SpiffWorkflow alone, in memory. The spec is parsed once; each
  instance is a new ``BpmnWorkflow`` that is serialized whole (SPIFF_CONFIG,
  spec included) after start and after every user task, and restored before
  every user task, as any persistent engine must.
* ``engine_sqlite``: ``ProcessEngine.start_instance`` then ``complete_task``
  for every ready task, each call in its own ``db.write_session()``, on a fresh
  migrated SQLite file, as a real user.
* ``engine_postgres``: the same on PostgreSQL, in a fresh schema, when
  ``TDKT_BENCH_POSTGRES_URL`` or ``TDKT_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # allow ``python bench/engine.py``
    sys.path.insert(0, str(ROOT))

FIXTURE = HERE / "fixtures" / "five_tasks.bpmn"
PROCESS_KEY = "five_tasks"
USER_TASKS = 5
START_DATA = {"amount": 20}
TASK_DATA = {"note": "ok"}
# spiff-arena's backend on this kind of machine with SQLite: a reference, not measured here.
SPIFF_ARENA_REFERENCE_PER_S = 5.0
GOAL_VS_RAW = 0.5
GOAL_PER_S = 100.0


@dataclass
class Run:
    """One measured series."""

    instances: int
    seconds: float
    complete_ms: list[float] = field(default_factory=list)
    start_ms: list[float] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.instances / self.seconds if self.seconds > 0 else float("inf")

    @staticmethod
    def median(values: list[float]) -> float | None:
        return round(statistics.median(values), 3) if values else None


# -- (a) raw SpiffWorkflow --------------------------------------------------------------
def bench_raw(instances: int, warmup: int) -> Run:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FIXTURE))
    spec = parser.get_spec(PROCESS_KEY)
    subprocess_specs = parser.get_subprocess_specs(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def one() -> None:
        wf = BpmnWorkflow(spec, subprocess_specs)
        wf.task_tree.data.update(START_DATA)
        wf.do_engine_steps()
        stored = serializer.serialize_json(wf)
        done: list[str] = []
        while True:
            wf = serializer.deserialize_json(stored)
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            task.data.update(TASK_DATA)
            task.run()
            done.append(task.task_spec.bpmn_id)
            wf.do_engine_steps()
            stored = serializer.serialize_json(wf)
        if not wf.completed or len(done) != USER_TASKS:
            raise RuntimeError(f"raw walk did not finish as expected: {done}")

    for _ in range(warmup):
        one()
    t0 = time.perf_counter()
    for _ in range(instances):
        one()
    return Run(instances, time.perf_counter() - t0)


# -- (b), (c) our engine ------------------------------------------------------------------
def bench_engine(url: str, instances: int, warmup: int) -> Run:
    from engine import identity
    from engine.roles import SYSTEM
    from engine.service import ProcessEngine
    from engine.store.db import Database
    from engine.store.migrate import upgrade

    upgrade(url)
    db = Database(url)
    try:
        eng = ProcessEngine()
        with db.write_session() as s:
            identity.create_unit(s, SYSTEM, "A", "Unit A")
            user = identity.create_user(s, SYSTEM, "bench", "password1", ["secretariat"],
                                        eng.settings.roles, "A")
            s.commit()
            actor = identity.actor_of(user)
        with db.write_session() as s:
            eng.deploy(s, FIXTURE.read_bytes(), SYSTEM, FIXTURE.name)

        def one(run: Run | None) -> None:
            t0 = time.perf_counter()
            with db.write_session() as s:
                inst = eng.start_instance(s, PROCESS_KEY, actor, dict(START_DATA))
            if run is not None:
                run.start_ms.append((time.perf_counter() - t0) * 1000)
            walked: list[str] = []
            while inst["tasks"]:
                task = inst["tasks"][0]
                t0 = time.perf_counter()
                with db.write_session() as s:
                    inst = eng.complete_task(s, task["id"], actor, dict(TASK_DATA))
                if run is not None:
                    run.complete_ms.append((time.perf_counter() - t0) * 1000)
                walked.append(task["name"])
            if inst["status"] != "completed" or len(walked) != USER_TASKS:
                raise RuntimeError(
                    f"engine walk did not finish as expected: status={inst['status']} "
                    f"tasks={walked} error={inst['error']}")

        for _ in range(warmup):
            one(None)
        run = Run(instances, 0.0)
        t0 = time.perf_counter()
        for _ in range(instances):
            one(run)
        run.seconds = time.perf_counter() - t0
        return run
    finally:
        db.dispose()


def bench_sqlite(instances: int, warmup: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="tdkt_bench_") as tmp:
        return bench_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", instances, warmup)


def postgres_base_url() -> str | None:
    return os.environ.get("TDKT_BENCH_POSTGRES_URL") or os.environ.get("TDKT_TEST_POSTGRES_URL")


def bench_postgres(base_url: str, instances: int, warmup: int) -> Run:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        return bench_engine(f"{base_url}{sep}options=-csearch_path%3D{schema}",
                            instances, warmup)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- report -------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"platform": platform.platform(), "cpu_count": os.cpu_count(), "cpu": cpu}


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or not den:
        return None
    return round(num / den, 3)


def timed(label: str, fn: Callable[[], Run]) -> Run:
    print(f"… {label}", flush=True)
    t0 = time.perf_counter()
    run = fn()
    print(f"  {run.instances} instances in {run.seconds:.2f} s "
          f"(wall incl. setup/warm-up {time.perf_counter() - t0:.1f} s)", flush=True)
    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=300,
                    help="timed instances per series (default 300)")
    ap.add_argument("--warmup", type=int, default=20,
                    help="untimed warm-up instances per series (default 20)")
    ap.add_argument("--json", type=Path, default=HERE / "results.json",
                    help="where to write the results (default bench/results.json)")
    args = ap.parse_args(argv)
    n, w = args.instances, args.warmup

    # Keep alembic's INFO lines out of the figures.
    logging.getLogger("alembic").setLevel(logging.WARNING)

    raw = timed("raw SpiffWorkflow (in memory, full serialize/restore per task)",
                lambda: bench_raw(n, w))
    lite = timed("engine on SQLite (service layer, one write session per call)",
                 lambda: bench_sqlite(n, w))
    pg: Run | None = None
    pg_url = postgres_base_url()
    if pg_url:
        pg = timed("engine on PostgreSQL (fresh schema)", lambda: bench_postgres(pg_url, n, w))
    else:
        print("… engine on PostgreSQL: skipped (set TDKT_BENCH_POSTGRES_URL or "
              "TDKT_TEST_POSTGRES_URL to run it)")

    a, b = raw.per_s, lite.per_s
    c = pg.per_s if pg else None
    results: dict[str, Any] = {
        "raw_instances_per_s": round(a, 2),
        "engine_sqlite_instances_per_s": round(b, 2),
        "engine_postgres_instances_per_s": round(c, 2) if c is not None else None,
        "engine_sqlite_vs_raw": ratio(b, a),
        "engine_postgres_vs_raw": ratio(c, a),
        "engine_sqlite_vs_spiff_arena": ratio(b, SPIFF_ARENA_REFERENCE_PER_S),
        "complete_task_ms_median_sqlite": Run.median(lite.complete_ms),
        "complete_task_ms_median_postgres": Run.median(pg.complete_ms) if pg else None,
        "start_instance_ms_median_sqlite": Run.median(lite.start_ms),
        "start_instance_ms_median_postgres": Run.median(pg.start_ms) if pg else None,
        "instances": n,
        "warmup_instances": w,
        "user_tasks_per_instance": USER_TASKS,
        "spiff_arena_reference_instances_per_s": SPIFF_ARENA_REFERENCE_PER_S,
        "python": platform.python_version(),
        "spiffworkflow": importlib.metadata.version("SpiffWorkflow"),
        "sqlalchemy": importlib.metadata.version("SQLAlchemy"),
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }

    def ok(flag: bool) -> str:
        return "OK" if flag else "BELOW GOAL"

    print()
    print(f"Diagram: {FIXTURE.relative_to(ROOT)} ({USER_TASKS} user tasks + gateway), "
          f"{n} timed instances, {w} warm-up")
    print(f"  (a) raw SpiffWorkflow          {a:9.1f} instances/s")
    print(f"  (b) engine, SQLite             {b:9.1f} instances/s   "
          f"complete_task median {results['complete_task_ms_median_sqlite']} ms")
    if c is not None:
        print(f"  (c) engine, PostgreSQL         {c:9.1f} instances/s   "
              f"complete_task median {results['complete_task_ms_median_postgres']} ms")
    else:
        print("  (c) engine, PostgreSQL         skipped (no PostgreSQL URL configured)")
    print()
    sv = results["engine_sqlite_vs_raw"]
    print(f"  engine_sqlite_vs_raw    b/a = {sv:.3f}   goal ≥ {GOAL_VS_RAW}  "
          f"[{ok(sv >= GOAL_VS_RAW)}]")
    if c is not None:
        print(f"  engine_postgres_vs_raw  c/a = {results['engine_postgres_vs_raw']:.3f}")
    print(f"  engine_sqlite_vs_spiff_arena = b/{SPIFF_ARENA_REFERENCE_PER_S:g} = "
          f"{results['engine_sqlite_vs_spiff_arena']:.1f}×   goal b ≥ {GOAL_PER_S:g}/s "
          f"(20× spiff-arena)  [{ok(b >= GOAL_PER_S)}]")
    print(f"    (spiff-arena ≈ {SPIFF_ARENA_REFERENCE_PER_S:g} instances/s is a reference "
          "figure for this kind of machine with SQLite, not measured here)")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
