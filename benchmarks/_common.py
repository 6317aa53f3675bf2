"""What every benchmark and calibration script shares: the machine's description and an
atomic JSON writer for ``benchmarks/results/``, in the schema the Performance appendix renders.

Schema: ``title``, ``description``, ``machine``, ``timestamp``, ``columns``, ``rows`` and,
optionally, ``goal``, ``goal_met`` (bool or None), ``summary`` and free-form ``data``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """Describe the machine a result was measured on."""
    import importlib.metadata as md

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("trustlab", "numpy", "scipy", "scikit-learn", "torch", "fairlearn"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "TRUSTLAB_THREADS")},
        "versions": versions,
    }


def timed(fn: Callable[[], Any], repeats: int = 1) -> tuple[float, Any]:
    """Return the best wall time of ``repeats`` calls of ``fn`` and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def write_result(name: str, record: dict[str, Any]) -> Path:
    """Write ``record`` (plus machine and timestamp) to ``results/<name>.json`` atomically."""
    for key in ("title", "description", "columns", "rows"):
        if key not in record:
            raise ValueError(f"record lacks the field {key!r}")
    record = {
        **record,
        "machine": machine(),
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    fd, tmp = tempfile.mkstemp(dir=RESULTS, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=1, default=float)
            handle.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {target}")
    return target
