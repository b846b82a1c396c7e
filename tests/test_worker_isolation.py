"""The worker's isolation: its environment and limits, the fork server, the wire's size cap, instructors' own assignments."""

from __future__ import annotations

import os
import pkgutil
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import gradelab
import gradelab.student
from gradelab.assignments import load
from gradelab.grading import forkserver, isolation
from gradelab.grading.engine import grade
from gradelab.grading.inside.zygote import _alive
from gradelab.grading.protocol import wire
from gradelab.grading.sandbox import CallFailed, Limits, Sandbox

SOLUTION = Path(gradelab.__file__).parent / "assignments" / "initialization" / "solution.py"

PROBE = '''
import os, resource, sys


def probe():
    names = ("RLIMIT_AS", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CPU")
    limits = {name: list(resource.getrlimit(getattr(resource, name))) for name in names}
    stdin_open = os.read(0, 1) != b""
    sockets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                sockets.append(int(fd))
        except OSError:
            pass
    return {"env": sorted(os.environ), "cwd": os.getcwd(), "stdin_open": stdin_open, "limits": limits, "sockets": sockets,
            "sid": os.getsid(0), "pid": os.getpid(), "uid": os.getuid(),
            "gradelab": sorted(n for n in sys.modules if n.startswith("gradelab"))}
'''


@pytest.mark.parametrize("fork", [True, False], ids=["forkserver", "spawn"])
def test_worker_starts_clean_and_limited(monkeypatch, fork):
    if not fork:
        monkeypatch.setenv("GRADELAB_NO_FORKSERVER", "1")
    with Sandbox([("file", PROBE)], Limits(timeout=5, memory_mb=900)) as sandbox:
        assert sandbox.start()["ok"]
        result = sandbox.call("probe", [], {})
        assert result.ok, result.error
        seen = result.value
    assert "GRADELAB_FD" not in seen["env"] and "GRADELAB_ZYGOTE_FD" not in seen["env"]
    # scikit-learn, preloaded by the fork server, sets KMP_* for its OpenMP runtime: nothing of the grader's.
    allowed = {"PATH", "HOME", "PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LANG",
               "MPLBACKEND", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert {key for key in seen["env"] if not key.startswith("KMP_")} <= allowed
    if isolation.probe().available:  # a folder of its own on the sandbox's tmpfs, and a uid of its own
        assert seen["cwd"].startswith("/tmp/worker") and seen["uid"] not in (0, os.getuid())
    else:
        assert Path(seen["cwd"]).name.startswith("gradelab-worker-") and not Path(seen["cwd"]).exists()
    assert not seen["stdin_open"]
    assert seen["limits"]["RLIMIT_AS"][0] == 900 * 2**20
    assert seen["limits"]["RLIMIT_NOFILE"][0] == Limits().open_files
    assert seen["limits"]["RLIMIT_FSIZE"][0] == Limits().file_mb * 2**20
    assert seen["limits"]["RLIMIT_CPU"][1] != resource.RLIM_INFINITY
    assert seen["sid"] == seen["pid"]  # its own session, so killing its group kills what it started
    assert seen["sockets"] and seen["sockets"][0] >= 100  # not at the first free descriptor
    assert seen["gradelab"] == []


def test_fork_server_is_shared_and_fast():
    timings, zygotes = [], set()
    for _ in range(4):
        with Sandbox([("file", "import numpy as np\ndef f():\n    return np.ones(2)\n")], Limits(timeout=5),
                     preload=["numpy", "sklearn.datasets"]) as sandbox:
            started = time.monotonic()
            sandbox.start()
            assert sandbox.call("f", [], {}).value.tolist() == [1.0, 1.0]
            timings.append(time.monotonic() - started)
        zygotes.add(forkserver._SERVER.process.pid)
    assert len(zygotes) == 1
    assert min(timings[1:]) < 0.3, timings


@pytest.mark.parametrize("fork", [True, False], ids=["forkserver", "spawn"])
def test_solution_scores_full_marks_either_way(monkeypatch, fork):
    if not fork:
        monkeypatch.setenv("GRADELAB_NO_FORKSERVER", "1")
    report = grade(load("initialization"), SOLUTION, limits=Limits(timeout=10))
    assert report.score == 10 and report.problems == []


def test_a_failed_call_costs_only_that_call():
    source = "import os\ndef crash():\n    os._exit(3)\ndef fine():\n    return 1\n"
    with Sandbox([("file", source)], Limits(timeout=2)) as sandbox:
        sandbox.start()
        with pytest.raises(CallFailed, match="exited with status 3"):
            sandbox.call("crash", [], {})
        assert sandbox.call("fine", [], {}).value == 1
        assert sandbox.restarts == 1


def test_wire_refuses_a_huge_value_without_copying_it():
    huge = np.broadcast_to(np.zeros(1), (10**10,))  # 80 GB as an array, no memory behind it
    started = time.monotonic()
    with pytest.raises(wire.WireError, match="more than the limit"):
        wire.encode({"W1": huge}, max_bytes=2**20)
    assert time.monotonic() - started < 1


def test_object_arrays_and_subclasses_cross_as_data_only():
    class Sub(np.ndarray):
        pass

    decoded = wire.decode(wire.encode([np.zeros(2, dtype=object), np.ones(2).view(Sub)]))
    assert isinstance(decoded[0], wire.Opaque)
    assert isinstance(decoded[1], wire.ConvertedArray) and decoded[1].original_type == "Sub"


ASSIGNMENT_FILE = '''
import numpy as np
from gradelab.grading.spec import Assignment, Case, Exercise


def double(x):
    return 2 * x


ASSIGNMENT = Assignment(name="mine", title="Mine", exercises=[
    Exercise(id="TestDouble", function="double", signature="(x)", points=1, reference=double,
             cases=[Case("hidden", lambda rng: ([rng.standard_normal(3)], {}), seed=5, hidden=True)]),
])
'''


@pytest.mark.parametrize("as_folder", [False, True], ids=["file", "folder"])
def test_an_instructors_assignment_from_a_path_is_graded_and_protected(tmp_path, as_folder):
    folder = tmp_path / "course"
    folder.mkdir()
    declaration = folder / ("__init__.py" if as_folder else "mine.py")
    declaration.write_text(ASSIGNMENT_FILE)
    assignment = load("mine", str(folder if as_folder else declaration))
    honest = tmp_path / "honest.py"
    honest.write_text("def double(x):\n    return x + x\n")
    assert grade(assignment, honest).score == 1
    thief = tmp_path / "thief.py"
    thief.write_text(textwrap.dedent(f"""
        def double(x):
            try:
                namespace = {{}}
                exec(open({str(declaration)!r}).read(), namespace)
                return namespace["double"](x)
            except Exception:
                return x
    """))
    report = grade(assignment, thief)
    assert report.score == 0
    assert any("which the grader does not allow" in problem for problem in report.problems)


def test_grader_environment_is_not_inherited(monkeypatch):
    monkeypatch.setenv("GRADELAB_SECRET_TOKEN", "s3cret")
    monkeypatch.setenv("GRADELAB_NO_FORKSERVER", "1")
    with Sandbox([("file", "import os\ndef env():\n    return dict(os.environ)\n")], Limits(timeout=5)) as sandbox:
        sandbox.start()
        assert "GRADELAB_SECRET_TOKEN" not in sandbox.call("env", [], {}).value
    assert os.environ["GRADELAB_SECRET_TOKEN"] == "s3cret"


def test_an_assignment_path_must_declare_the_named_assignment(tmp_path):
    declaration = tmp_path / "mine.py"
    declaration.write_text("from gradelab.grading.spec import Assignment\n"
                           "ASSIGNMENT = Assignment(name='mine', title='Mine', exercises=[])\n")
    with pytest.raises(ValueError, match="declares the assignment 'mine', not 'yours'"):
        load("yours", str(declaration))


#: What importing each student helper brings of gradelab, by package: what gradelab/student/__init__.py says.
HELPERS_BRING = {
    "dnn_utils": {"gradelab", "gradelab.student"},
    "keras_lab": {"gradelab", "gradelab.student", "gradelab.keras", "gradelab.nn"},
}


def test_every_student_helper_is_accounted_for():
    assert {module.name for module in pkgutil.iter_modules(gradelab.student.__path__)} == set(HELPERS_BRING)


@pytest.mark.parametrize("helper", sorted(HELPERS_BRING))
def test_each_student_helper_brings_what_the_package_says(helper):
    """In a fresh interpreter, as in a worker before its guard closes."""
    code = (f"import sys, gradelab.student.{helper}\n"
            "print(sorted({'.'.join(name.split('.')[:2]) for name in sys.modules if name.split('.')[0] == 'gradelab'}))")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(eval(out)) == HELPERS_BRING[helper]  # noqa: S307 - our own probe's output


def test_a_keras_lab_worker_refuses_importing_nn_which_it_holds():
    """gradelab.nn is loaded (gradelab.keras computes with it) but student code cannot import it by name."""
    source = textwrap.dedent("""
        def probe():
            from gradelab.keras.layers import FORWARD
            try:
                import gradelab.nn
                imported = True
            except ImportError:
                imported = False
            return [imported, FORWARD["relu"].__module__]
    """)
    with Sandbox([("file", source)], Limits(timeout=5), student_modules=load("keras_intro").student_modules) as sandbox:
        sandbox.start()
        result = sandbox.call("probe", [], {})
    assert result.ok, result.error
    assert result.value == [False, "gradelab.nn.activations"]
    assert any("gradelab.nn" in refusal for refusal in result.refused)


def test_one_assignments_preloaded_modules_are_not_in_another_assignments_workers(tmp_path):
    """keras_intro preloads gradelab.keras, which brings gradelab.nn: a later initialization worker must not find it."""
    from gradelab.grading.selftest import grade_source, solution_source

    keras_intro = load("keras_intro")
    assert grade_source(keras_intro, solution_source(keras_intro), ["TestMyDense"]).score == 2
    initialization = load("initialization")
    finder = solution_source(initialization) + (
        "\ndef initialize_parameters_he(layers_dims, seed=3):\n"
        "    import gc\n"
        "    for o in gc.get_objects():\n"
        "        if getattr(o, '__module__', None) == 'gradelab.nn.initializers' and getattr(o, '__name__', '') == "
        "'initialize_parameters_he':\n"
        "            return o(layers_dims, seed)\n"
        "    raise RuntimeError('the reference is not in this worker')\n")
    outcome = grade_source(initialization, finder, ["TestHeInitialization"]).exercises[0]
    assert outcome.score == 0 and "the reference is not in this worker" in outcome.cases[0].findings[0].message


@pytest.mark.parametrize("sandboxed", ["1", "0"], ids=["kernel sandbox", "unisolated"])
def test_a_sigkilled_grader_takes_its_fork_server_and_workers_along(sandboxed):
    if sandboxed == "1" and not isolation.probe().available:
        pytest.skip("no kernel sandbox here")
    grader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from gradelab.grading.sandbox import Sandbox
        sandbox = Sandbox([("file", "def f():\\n    return 1\\n")])
        sandbox.start()
        from gradelab.grading import forkserver
        print(forkserver._SERVER.process.pid, flush=True)
        time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, env={**os.environ, isolation.ENV_SWITCH: sandboxed})
    server = int(grader.stdout.readline())
    descendants = _descendants(server) | {server}
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in descendants):
        time.sleep(0.05)
    assert not [pid for pid in descendants if _alive(pid)]


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, fields in forkserver.proc_stats() if int(fields[1]) == parent}
        found |= children
        todo.extend(children)
    return found

