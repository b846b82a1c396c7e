"""gradelab.kernels.fused: the numba kernel against the reference L_layer_model, its check, and its fallback.

Also: gradelab.nn, the reference, stands on its own and imports nothing from gradelab.kernels.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import gradelab.nn
from gradelab.kernels import fused
from gradelab.nn import L_layer_model
from gradelab.nn.initializers import initialize_parameters_he, initialize_parameters_random, initialize_parameters_xavier

needs_numba = pytest.mark.skipif(not fused.numba_available(), reason=f"numba does not import: {fused.NUMBA_ERROR}")


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a) - b) / max(np.linalg.norm(b), 1e-300))


def problem(dims: list[int], m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    return rng.randn(dims[0], m), (rng.rand(dims[-1], m) > 0.5).astype(float)


# Depths 1 to 4, widths that are not multiples of the kernel's blocks of 4,
# two sigmoid outputs, and m not a multiple of the SIMD width.
SHAPES = [
    ([2, 10, 5, 1], 300),
    ([3, 7, 1], 37),
    ([2, 1], 50),
    ([4, 9, 6, 5, 1], 61),
    ([3, 5, 2], 29),
    ([5, 13, 4, 1], 8),
]


@needs_numba
@pytest.mark.parametrize("dims, m", SHAPES)
@pytest.mark.parametrize("init", [initialize_parameters_he, initialize_parameters_xavier])
def test_numba_matches_reference(dims, m, init):
    X, Y = problem(dims, m)
    starts = [init(dims, seed=1), init(dims, seed=2)]
    result = fused.train_runs(X, Y, dims, starts, 0.05, 250, record_every=100, engine="numba")
    assert result.engine == "numba"
    for start, parameters, costs in zip(starts, result.parameters, result.costs):
        expected, expected_costs = L_layer_model(X, Y, dims, 0.05, 250, parameters=start, record_every=100)
        assert sorted(parameters) == sorted(expected)
        for name in expected:
            assert parameters[name].shape == expected[name].shape
            assert relative(parameters[name], expected[name]) < 1e-9, name
        assert len(costs) == len(expected_costs) == 3
        np.testing.assert_allclose(costs, expected_costs, rtol=1e-9)
    assert result.check_error < 1e-9


@needs_numba
def test_numba_large_random_weights_match_on_a_short_run():
    # x10 weights saturate the sigmoid (exp(-Z) beyond the kernel's clamp) and
    # kill ReLUs; over a few hundred iterations the paths still agree closely.
    dims = [3, 7, 1]
    X, Y = problem(dims, 37, seed=4)
    start = initialize_parameters_random(dims, seed=3)
    result = fused.train_runs(X, Y, dims, [start], 0.01, 300, record_every=100, engine="numba")
    expected, expected_costs = L_layer_model(X, Y, dims, 0.01, 300, parameters=start, record_every=100)
    for name in expected:
        assert relative(result.parameters[0][name], expected[name]) < 1e-9, name
    np.testing.assert_allclose(result.costs[0], expected_costs, rtol=1e-9)


@needs_numba
def test_runs_are_independent_and_keep_their_order():
    dims = [2, 6, 1]
    X, Y = problem(dims, 40, seed=1)
    starts = [initialize_parameters_he(dims, seed=s) for s in range(5)]
    together = fused.train_runs(X, Y, dims, starts, 0.1, 100, engine="numba")
    alone = fused.train_runs(X, Y, dims, starts[3:4], 0.1, 100, engine="numba")
    for name in alone.parameters[0]:
        np.testing.assert_array_equal(together.parameters[3][name], alone.parameters[0][name])
    assert relative(together.parameters[0]["W1"], together.parameters[1]["W1"]) > 0.1


def test_numpy_engine_is_the_reference_itself():
    dims = [2, 4, 1]
    X, Y = problem(dims, 30)
    start = initialize_parameters_he(dims, seed=5)
    result = fused.train_runs(X, Y, dims, [start], 0.1, 120, record_every=50, engine="numpy")
    expected, expected_costs = L_layer_model(X, Y, dims, 0.1, 120, parameters=start, record_every=50)
    assert result.engine == "numpy"
    for name in expected:
        np.testing.assert_array_equal(result.parameters[0][name], expected[name])
    assert result.costs[0] == expected_costs


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_progress_counts_every_iteration_of_every_run(engine):
    dims = [2, 3, 1]
    X, Y = problem(dims, 10)
    seen = []
    starts = [initialize_parameters_he(dims, seed=s) for s in range(3)]
    fused.train_runs(X, Y, dims, starts, 0.1, 1100, engine=engine, progress=seen.append)
    assert sum(seen) == 3 * 1100


@needs_numba
@pytest.mark.parametrize("iterations", [0, 1, 3, 1001])
def test_iteration_counts_at_the_edges(iterations):
    dims = [2, 5, 1]
    X, Y = problem(dims, 20)
    start = initialize_parameters_he(dims, seed=1)
    result = fused.train_runs(X, Y, dims, [start], 0.1, iterations, engine="numba")
    expected, expected_costs = L_layer_model(X, Y, dims, 0.1, iterations, parameters=start)
    assert len(result.costs[0]) == len(expected_costs)
    for name in expected:
        assert relative(result.parameters[0][name], expected[name]) < 1e-12, name


def test_layout_round_trip():
    layout = fused.Layout.of([4, 9, 6, 1])
    runs = [initialize_parameters_he([4, 9, 6, 1], seed=s) for s in (1, 2)]
    theta = layout.pack(runs)
    assert theta.shape == (2, 9 * 4 + 9 + 6 * 9 + 6 + 6 + 1)
    for run, row in zip(runs, theta):
        back = layout.unpack(row)
        for name in run:
            np.testing.assert_array_equal(back[name], run[name])
    with pytest.raises(ValueError, match="W2 must be"):
        layout.pack([{**runs[0], "W2": np.zeros((9, 6))}])


def test_inputs_are_checked():
    X, Y = problem([2, 1], 5)
    start = initialize_parameters_he([2, 3, 1], seed=1)
    with pytest.raises(ValueError, match="needs X"):
        fused.train_runs(X, Y, [3, 3, 1], [start])
    with pytest.raises(ValueError, match="at least one"):
        fused.train_runs(X, Y, [2, 3, 1], [])
    with pytest.raises(ValueError, match="engine must be one of"):
        fused.train_runs(X, Y, [2, 3, 1], [start], engine="cuda")


def _corrupt(monkeypatch, change):
    """Make the kernel's segments wrong in a chosen way: change(theta, n_iter, costs) after each."""
    original = fused._Workspace.run

    def run(self, theta, learning_rate, n_iter, record):
        costs = original(self, theta, learning_rate, n_iter, record)
        return change(theta, n_iter, costs)

    monkeypatch.setattr(fused._Workspace, "run", run)


@needs_numba
def test_check_catches_a_wrong_update(monkeypatch):
    original = fused._Workspace.run
    monkeypatch.setattr(fused._Workspace, "run", lambda self, theta, lr, n, record: original(self, theta, lr * 1.001, n, record))
    X, Y = problem([2, 5, 1], 30)
    with pytest.raises(fused.FastPathMismatch, match=r"run he: iterations 0 to 2 .* differ by"):
        fused.train_runs(X, Y, [2, 5, 1], [initialize_parameters_he([2, 5, 1], seed=1)], 0.1, 500, engine="numba", labels=["he"])


@needs_numba
def test_check_catches_a_late_error(monkeypatch):
    # Only the last segment goes wrong: the re-run of the final iterations sees it.
    def late(theta, n_iter, costs):
        if late.calls == late.last:
            theta += 1e-7
        late.calls += 1
        return costs

    late.calls, late.last = 0, len(fused._boundaries(500, 1000, 2)) - 2
    _corrupt(monkeypatch, late)
    X, Y = problem([2, 5, 1], 30)
    with pytest.raises(fused.FastPathMismatch, match="iterations 498 to 500"):
        fused.train_runs(X, Y, [2, 5, 1], [initialize_parameters_he([2, 5, 1], seed=1)], 0.1, 500, record_every=1000, engine="numba")


@needs_numba
def test_check_catches_a_wrong_cost(monkeypatch):
    _corrupt(monkeypatch, lambda theta, n_iter, costs: costs * (1 + 1e-7))
    X, Y = problem([2, 5, 1], 30)
    with pytest.raises(fused.FastPathMismatch, match="cost at iteration 0"):
        fused.train_runs(X, Y, [2, 5, 1], [initialize_parameters_he([2, 5, 1], seed=1)], 0.1, 50, engine="numba")


def test_a_kernel_that_fails_to_compile_falls_back_only_under_auto(monkeypatch):
    def broken():
        raise RuntimeError("LLVM says no")

    monkeypatch.setattr(fused, "numba", fused.numba or object())
    monkeypatch.setattr(fused, "compile_kernel", broken)
    X, Y = problem([2, 3, 1], 12)
    start = initialize_parameters_he([2, 3, 1], seed=1)
    result = fused.train_runs(X, Y, [2, 3, 1], [start], 0.1, 20, engine="auto")
    assert result.engine == "numpy"
    assert "LLVM says no" in result.fallback_reason
    with pytest.raises(RuntimeError, match="LLVM says no"):
        fused.train_runs(X, Y, [2, 3, 1], [start], 0.1, 20, engine="numba")


def test_without_numba_the_reference_trains(tmp_path):
    # A fresh interpreter where `import numba` fails, as on a machine without it.
    script = textwrap.dedent(
        """
        import sys
        sys.modules["numba"] = None
        import numpy as np
        from gradelab.kernels import fused
        from gradelab.nn import L_layer_model
        from gradelab.nn.initializers import initialize_parameters_he
        assert not fused.numba_available() and "numba" in fused.NUMBA_ERROR, fused.NUMBA_ERROR
        assert fused.resolve_engine("auto") == "numpy"
        try:
            fused.resolve_engine("numba")
        except RuntimeError as error:
            assert "does not import" in str(error)
        else:
            raise AssertionError("engine numba without numba must fail")
        X = np.linspace(-1, 1, 20).reshape(2, 10)
        Y = (X[:1] > 0).astype(float)
        start = initialize_parameters_he([2, 3, 1], seed=1)
        result = fused.train_runs(X, Y, [2, 3, 1], [start], 0.1, 50)
        expected, _ = L_layer_model(X, Y, [2, 3, 1], 0.1, 50, parameters=start)
        assert result.engine == "numpy" and "numba does not import" in result.fallback_reason
        assert all(np.array_equal(result.parameters[0][k], expected[k]) for k in expected)
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement of ``path`` names, relative ones resolved inside gradelab.nn."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(["gradelab", "nn"][: 3 - node.level]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_nn_imports_nothing_from_kernels():
    """The reference is what students read: it must not lean on the fast paths, not even lazily inside a function."""
    sources = sorted(Path(gradelab.nn.__file__).parent.glob("*.py"))
    assert len(sources) > 5
    for path in sources:
        leaks = sorted(name for name in imported_modules(path) if name.startswith("gradelab.kernels") or name.startswith("kernels"))
        assert not leaks, f"{path.name} imports {leaks}"
    # And at run time: importing every module of gradelab.nn loads neither gradelab.kernels nor numba.
    modules = ", ".join(f"gradelab.nn.{path.stem}" for path in sources if path.stem != "__init__")
    script = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.startswith(('gradelab.kernels', 'numba'))))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
