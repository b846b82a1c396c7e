"""Time `gradelab grade-batch` on a generated class of the initialization assignment.

    python benchmarks/bench_batch.py            # 1000 submissions, with the kernel sandbox and without
    python benchmarks/bench_batch.py --n 200    # a quicker run
    python benchmarks/bench_batch.py --isolation on

Prints submissions per second and CPU seconds per submission (this process and
all its children: the pool and every isolated worker it started), for each
setting, and the throughput with the sandbox as a share of the one without.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from gradelab.assignments import load
from gradelab.batch import run_batch
from gradelab.batch.sample import make_class
from gradelab.grading import forkserver, isolation


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def machine_cpu_seconds() -> float:
    """CPU time of the whole machine (Linux), which counts the fork server's workers that rusage may miss."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("nan")
    busy = sum(int(value) for index, value in enumerate(fields) if index not in (3, 4))  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def grade_class(assignment: object, root: Path, setting: str, args: argparse.Namespace) -> float:
    """Grade the class once with the kernel sandbox "on" or "off"; returns submissions per second."""
    os.environ[isolation.ENV_SWITCH] = "1" if setting == "on" else "0"
    isolation.probe.cache_clear()
    forkserver._SERVERS.clear()  # fork servers started under the other setting are not reused
    out = root / f"out-{setting}"
    cpu, machine, started = cpu_seconds(), machine_cpu_seconds(), time.perf_counter()
    code = run_batch(assignment, root / "class", out, workers=args.workers, scheduler=args.scheduler)
    wall, cpu, machine = time.perf_counter() - started, cpu_seconds() - cpu, machine_cpu_seconds() - machine
    # rusage counts only descendants that were waited for: workers forked by a fork server that is killed
    # at the end may be missed, so the machine's own CPU time is printed too (it includes any other load).
    print(f"isolation {setting} ({isolation.probe().label}): exit {code}; {wall:.1f} s wall, {args.n / wall:.2f} submissions/s, "
          f"{cpu / args.n:.3f} CPU s per submission (rusage self + children), {machine / args.n:.3f} machine CPU s per "
          f"submission, load average {os.getloadavg()[0]:.1f}; projected for 1000: {1000 * wall / args.n:.0f} s")
    return args.n / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="submissions to generate and grade")
    parser.add_argument("--workers", type=int, default=None, help="parallel gradings (default: all cores)")
    parser.add_argument("--scheduler", default=None, help="'local' for a Dask LocalCluster, or a scheduler address")
    parser.add_argument("--isolation", choices=("on", "off", "both"), default="both", help="the kernel sandbox (default: both)")
    parser.add_argument("--keep", help="grade into this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()
    assignment = load("initialization")
    with tempfile.TemporaryDirectory(prefix="gradelab-bench-") as folder:
        root = Path(args.keep or folder)
        chosen = make_class(assignment, root / "class", args.n)
        notebooks = len(list((root / "class").glob("*.ipynb")))
        print(f"{args.n} submissions ({sum(v.kind == 'mistake' for v in chosen)} with a known mistake, {notebooks} notebooks), "
              f"{args.workers or len(os.sched_getaffinity(0))} workers, scheduler={args.scheduler or 'local pool'}")
        settings = ("off", "on") if args.isolation == "both" else (args.isolation,)
        rates = {setting: grade_class(assignment, root, setting, args) for setting in settings}
    if len(rates) == 2:
        print(f"throughput with the kernel sandbox: {rates['on'] / rates['off']:.2f} of the throughput without it")


if __name__ == "__main__":
    main()
