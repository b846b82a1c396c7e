"""grade-batch on a real Dask cluster: a scheduler and two workers started as separate processes, as a department runs them."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradelab.assignments import load
from gradelab.batch import run_batch
from gradelab.batch.sample import make_class

distributed = pytest.importorskip("distributed")
DASK = Path(sys.executable).parent / "dask"
ASSIGNMENT = load("initialization")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait_for_workers(address: str, count: int, timeout: float = 60.0) -> None:
    with distributed.Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=timeout)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """tcp://127.0.0.1:PORT with two single-threaded workers, for this file (the last test kills one); killed afterwards."""
    tmp_path = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", log=tmp_path / "scheduler.log")
    workers = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        workers = [_start("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name", f"w{index}",
                          log=tmp_path / f"worker{index}.log") for index in range(2)]
        _wait_for_workers(address, 2)
        yield address, workers
    finally:
        for process in [*workers, scheduler]:
            _stop(process)


def _rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return sorted(db.execute("SELECT student, score, status FROM submissions").fetchall())


def test_a_separate_cluster_gives_the_local_pools_gradebook(cluster, tmp_path):
    address, _ = cluster
    make_class(ASSIGNMENT, tmp_path / "class", 6)
    assert run_batch(ASSIGNMENT, tmp_path / "class", tmp_path / "pool", workers=2, progress=False) == 0
    assert run_batch(ASSIGNMENT, tmp_path / "class", tmp_path / "dask", scheduler=address, progress=False) == 0
    assert _rows(tmp_path / "dask") == _rows(tmp_path / "pool") and len(_rows(tmp_path / "pool")) == 6


def test_killing_a_worker_mid_run_loses_nothing(cluster, tmp_path):  # last: it leaves the cluster one worker
    address, workers = cluster
    make_class(ASSIGNMENT, tmp_path / "class", 14)
    assert run_batch(ASSIGNMENT, tmp_path / "class", tmp_path / "pool", workers=2, progress=False) == 0
    batch = subprocess.Popen([sys.executable, "-m", "gradelab.cli", "grade-batch", "initialization", str(tmp_path / "class"),
                              "--out", str(tmp_path / "dask"), "--scheduler", address],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    gradebook = tmp_path / "dask" / "gradebook.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (gradebook.exists() and _count(gradebook) >= 3):
        time.sleep(0.1)
    _stop(workers[0])  # mid-run: some graded, the rest still queued or running on it
    output, _ = batch.communicate(timeout=300)
    assert batch.returncode == 0, output
    rows = _rows(tmp_path / "dask")
    if any(status == "lost" for _, _, status in rows):  # Dask gave up on a task: the resume grades it
        assert run_batch(ASSIGNMENT, tmp_path / "class", tmp_path / "dask", scheduler=address, progress=False) == 0
        rows = _rows(tmp_path / "dask")
    assert rows == _rows(tmp_path / "pool")


def _count(gradebook: Path) -> int:
    try:
        with sqlite3.connect(gradebook) as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.Error:
        return 0
