"""gradelab study init: the seed's table, the notebook's pickle, the figures, the output folder, and the bundle's data cache."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import pickle
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from gradelab.assignments.initialization import notebook
from gradelab.cli import main
from gradelab.files import write_atomic
from gradelab.kernels import fused
from gradelab.nn.datasets import circles, generate_dataset, preprocess
from gradelab.nn.layers import predict
from gradelab.studies import data_cache, figures, init_study

needs_numba = pytest.mark.skipif(not fused.numba_available(), reason=f"numba does not import: {fused.NUMBA_ERROR}")

KEYS = ["zero initialization", "random initialization", "he initialization"]
ENTRY = [
    "iterations", "costs", "learning_rate", "accuracy train set", "accuracy test set",
    "predictions train", "predictions test", "decision train", "decision test",
]


def study(*args: str) -> tuple[int, str]:
    """Run the command in this process; returns its exit code and what it printed (on one logical line per row)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["study", "init", "--no-progress", *args])
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells at 80 columns otherwise


@pytest.fixture
def no_figures(monkeypatch):
    """Tests about other things skip rendering PNGs (about a second each run)."""
    monkeypatch.setattr(figures, "save_png", lambda figure, path, dpi=120: write_atomic(path, b"\x89PNG stub"))


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One short study (2000 iterations) shared by the tests of the files' structure."""
    out = tmp_path_factory.mktemp("study-init")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "200")
        code, text = study("--out", str(out), "--iterations", "2000")
    assert code == 0, text
    with open(out / "initialization.pkl", "rb") as file:
        data = pickle.load(file)
    return out, text, data


def test_the_seed_table_is_reproduced(tmp_path):
    code, text = study("--out", str(tmp_path))
    assert code == 0, text
    rows = {"zeros": ("50%", "50%"), "large random": ("83%", "86%"), "He": ("99%", "96%")}
    for name, (train, test) in rows.items():
        assert re.search(rf"with {name} initialization\s*[│|]\s*{train}\s*[│|]\s*{test}\s*[│|]", text), (name, text)
    for problem in ("fails to break symmetry", "too large weights", "recommended method"):
        assert problem in text
    with open(tmp_path / "initialization.pkl", "rb") as file:
        data = pickle.load(file)
    found = [(data[key]["accuracy train set"], data[key]["accuracy test set"]) for key in KEYS]
    assert found == [(0.5, 0.5), (0.83, 0.86), (pytest.approx(298 / 300), 0.96)]
    assert data["he initialization"]["iterations"] == list(range(0, 15001, 1000))


@needs_numba
def test_both_engines_give_the_same_accuracies():
    data = circles()
    console = init_study.Console(file=io.StringIO())
    _, by_numba = init_study.train_all(data, [3], "numba", 15000, console, False)
    _, by_numpy = init_study.train_all(data, [3], "numpy", 15000, console, False)
    for a, b in zip(by_numba, by_numpy):
        assert (a.method, a.accuracy_train, a.accuracy_test) == (b.method, b.accuracy_train, b.accuracy_test)
    # zeros and He agree closely all the way; large random weights drift (see docs/PERFORMANCE.md)
    assert by_numba[2].final_cost == pytest.approx(by_numpy[2].final_cost, rel=1e-9)


def test_pickle_has_the_notebook_structure(quick):
    _, _, data = quick
    X, Y, X_test, Y_test = circles()
    assert list(data) == KEYS
    for key in KEYS:
        entry = data[key]
        assert sorted(entry) == sorted(ENTRY)
        assert entry["iterations"] == [0, 1000, 2000]
        assert len(entry["costs"]) == 3 and all(isinstance(c, float) and np.isfinite(c) for c in entry["costs"])
        assert entry["learning_rate"] == 0.01
        for split, labels in (("train", Y), ("test", Y_test)):
            predictions = entry[f"predictions {split}"]
            assert predictions.shape == labels.shape and set(np.unique(predictions)) <= {0, 1}
            assert entry[f"accuracy {split} set"] == np.mean(predictions == labels)


def notebook_grid(X):
    """The notebook's plot_decision_boundary grid, copied (not imported) so a change in figures.py shows."""
    h = 0.01
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    return np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))


def test_decisions_fit_the_notebook_grid(quick):
    _, _, data = quick
    X, _, X_test, _ = circles()
    for key in KEYS:
        for split, points in (("train", X), ("test", X_test)):
            xx, _ = notebook_grid(points)
            decision = data[key][f"decision {split}"]
            assert decision.shape == xx.shape
            assert set(np.unique(decision)) <= {0, 1}
    assert 0.0 < np.mean(data["he initialization"]["decision train"]) < 1.0  # a boundary, not a constant


def test_pickle_needs_nothing_but_numpy():
    class OnlyNumpy(pickle.Unpickler):
        def find_class(self, module, name):
            if module.split(".")[0] not in ("numpy", "builtins", "copyreg", "_codecs"):
                raise pickle.UnpicklingError(f"{module}.{name}")
            return super().find_class(module, name)

    starts, keys = init_study.initial_parameters([3])
    runs = [init_study.evaluate(method, seed, start, [0.7], 1, circles()) for (method, seed), start in zip(keys, starts)]
    data = init_study.notebook_data(runs, circles())
    assert list(OnlyNumpy(io.BytesIO(pickle.dumps(data, protocol=4))).load()) == KEYS


@pytest.mark.filterwarnings("ignore:FigureCanvasAgg is non-interactive:UserWarning")
def test_notebook_cells_run_unchanged_on_the_pickle(quick, capsys):
    out, _, _ = quick
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # ---- copied from the seed notebook (Visualization), unchanged but for `self`
    def plot_the_cost(iterations: list, costs: list, learning_rate: float):
        plt.plot(iterations, costs)
        plt.ylabel('Cost')
        plt.xlabel('Iterations')
        plt.title("Learning rate =" + str(learning_rate))
        plt.show()

    def plot_decision_boundary(Z_train, X_train, Y_train, Z_test, X_test, Y_test):
        h = 0.01
        x_min_train, x_max_train = X_train[0, :].min() - 1, X_train[0, :].max() + 1
        y_min_train, y_max_train = X_train[1, :].min() - 1, X_train[1, :].max() + 1
        x_min_test, x_max_test = X_test[0, :].min() - 1, X_test[0, :].max() + 1
        y_min_test, y_max_test = X_test[1, :].min() - 1, X_test[1, :].max() + 1
        xx_train, yy_train = np.meshgrid(np.arange(x_min_train, x_max_train, h), np.arange(y_min_train, y_max_train, h))
        xx_test, yy_test = np.meshgrid(np.arange(x_min_test, x_max_test, h), np.arange(y_min_test, y_max_test, h))
        _, (train_ax, test_ax) = plt.subplots(ncols=2, sharex=True, sharey=True, figsize=(8, 4))
        train_ax.set_xlim([-1.5, 1.5])
        train_ax.set_ylim([-1.5, 1.5])
        train_ax.contourf(xx_train, yy_train, Z_train, cmap=plt.cm.Spectral)
        train_scatter = train_ax.scatter(X_train[0, :], X_train[1, :], c=Y_train, cmap=plt.cm.Spectral)
        train_ax_legend = train_ax.legend(*train_scatter.legend_elements(), title="Classes")
        train_ax.add_artist(train_ax_legend)
        test_ax.set_xlim([-1.5, 1.5])
        test_ax.set_ylim([-1.5, 1.5])
        test_ax.contourf(xx_test, yy_test, Z_test, cmap=plt.cm.Spectral)
        test_scatter = test_ax.scatter(X_test[0, :], X_test[1, :], c=Y_test, cmap=plt.cm.Spectral)
        test_ax_legend = test_ax.legend(*test_scatter.legend_elements(), title="Classes")
        test_ax.add_artist(test_ax_legend)

    # ---- the notebook's cells, with "../data/initialization.pkl" pointed at the study's file
    try:
        for key in KEYS:
            with open(out / "initialization.pkl", "rb") as f:
                data = pickle.load(f)
            iterations = data[key]["iterations"]
            costs = data[key]["costs"]
            learning_rate = data[key]["learning_rate"]
            for iteration, cost in zip(iterations, costs):
                print("Cost after iteration {}: {}".format(iteration, cost))  # noqa: UP032 (the notebook's line)
            plot_the_cost(iterations, costs, learning_rate)
            print("Accuracy of the model on the train set: ", data[key]["accuracy train set"])
            print("Accuracy of the model on the test set: ", data[key]["accuracy test set"])
            train_X, train_Y, test_X, test_Y = generate_dataset(300, 100, .05, .05, 1, 2)
            train_X, train_Y, test_X, test_Y = preprocess(train_X, train_Y, test_X, test_Y)
            print("Predictions training: " + str(data[key]["predictions train"]))
            print("predictions test: " + str(data[key]["predictions test"]))
            plot_decision_boundary(data[key]["decision train"], train_X, train_Y, data[key]["decision test"], test_X, test_Y)
            plt.gcf().canvas.draw()  # render for real: contourf must accept the shapes
    finally:
        plt.close("all")
    printed = capsys.readouterr().out
    assert printed.count("Cost after iteration 2000:") == 3


def test_files_are_written_and_named(quick):
    out, text, _ = quick
    for name in init_study.OUTPUT_FILES:
        assert (out / name).is_file(), name
    for name in init_study.OUTPUT_FILES:
        if name.endswith(".png"):
            content = (out / name).read_bytes()
            assert content.startswith(b"\x89PNG") and len(content) > 10_000, name
    assert f"wrote {len(init_study.OUTPUT_FILES)} files" in text and "decision_he.png" in text
    assert "replaced" not in text


def test_progress_and_engine_are_reported(quick):
    _, text, _ = quick
    assert re.search(r"engine: (numba|numpy)", text)
    if fused.numba_available():
        assert "check against the reference L_layer_model" in text


def test_the_progress_bar_runs():
    screen = io.StringIO()
    console = init_study.Console(file=screen, force_terminal=True, width=120)
    result, runs = init_study.train_all(circles(), [3], "auto", 1200, console, True)
    assert "training 3 runs" in screen.getvalue() and "3600/3600" in screen.getvalue()
    assert [run.iterations for run in runs] == [[0, 1000, 1200]] * 3


def test_existing_files_of_the_user_survive(tmp_path, no_figures):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "costs.png").write_bytes(b"old")
    (tmp_path / "sub").mkdir()
    code, text = study("--out", str(tmp_path), "--iterations", "200")
    assert code == 0, text
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "costs.png").read_bytes() != b"old"
    assert "replaced the earlier costs.png" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*init_study.OUTPUT_FILES, "notes.txt", "sub"])


def test_a_folder_in_the_way_is_refused_before_training(tmp_path):
    (tmp_path / "runs.csv").mkdir()
    code, text = study("--out", str(tmp_path))
    assert code == 2 and "runs.csv" in text and "not files" in text
    assert not (tmp_path / "initialization.pkl").exists()
    (tmp_path / "file").write_text("x")
    code, text = study("--out", str(tmp_path / "file"))
    assert code == 2 and "not a folder" in text


def test_bad_arguments_are_refused(tmp_path):
    assert study("--out", str(tmp_path), "--seeds", "0")[0] == 2
    assert study("--out", str(tmp_path), "--iterations", "0")[0] == 2
    assert not any(tmp_path.iterdir())


def test_seed_sweep_reports_mean_and_spread(tmp_path, no_figures):
    code, text = study("--out", str(tmp_path), "--iterations", "600", "--seeds", "3", "--seed", "5")
    assert code == 0, text
    with open(tmp_path / "runs.csv") as file:
        rows = list(csv.DictReader(file))
    assert [(r["method"], int(r["seed"])) for r in rows] == [(m.name, s) for s in (5, 6, 7) for m in init_study.METHODS]
    he = [float(r["train_accuracy"]) for r in rows if r["method"] == "he"]
    mean, std = np.mean(he), np.std(he, ddof=1)
    assert "Over 3 initialization seeds 5..7" in text
    assert re.search(rf"with He initialization\s*[│|]\s*{mean:.1%} ± {std:.1%}", text), text
    with open(tmp_path / "initialization.pkl", "rb") as file:  # the notebook's file holds the first seed
        first = pickle.load(file)
    assert first["he initialization"]["accuracy train set"] == he[0]
    assert all((tmp_path / name).exists() for name in init_study.SPREAD_FILES)  # the spread, drawn


def test_a_class_has_one_colour_in_every_decision_figure():
    """A model predicting 0 everywhere paints class 0's region colour, as a model predicting both does."""
    from matplotlib.colors import to_rgba

    X = np.array([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.0]])
    Y = np.array([[0, 1, 0]])
    everywhere_zero = np.zeros_like(figures.decision_grid(X)[0])
    both = (figures.decision_grid(X)[0] > 0).astype(float)
    for Z in (everywhere_zero, both):
        figure = figures.decision_boundaries(Z, X, Y, Z, X, Y, "a title")
        regions = figure.axes[0].collections[0]
        assert [tuple(color) for color in regions.get_facecolor()] == [to_rgba(c) for c in figures.REGION_COLORS]
        points = [c for c in figure.axes[0].collections[1:] if len(c.get_offsets())]
        assert [tuple(c.get_facecolor()[0]) for c in points] == [to_rgba(c) for c in figures.CLASS_COLORS]


def test_without_numba_the_study_says_so(tmp_path, monkeypatch, no_figures):
    monkeypatch.setattr(fused, "numba", None)
    monkeypatch.setattr(fused, "NUMBA_ERROR", "ModuleNotFoundError: No module named 'numba'")
    code, text = study("--out", str(tmp_path), "--iterations", "100")
    assert code == 0, text
    assert "engine: numpy" in text and "numba does not import" in text
    assert study("--out", str(tmp_path), "--engine", "numba")[0] == 2


@needs_numba
def test_a_fast_path_mismatch_stops_the_study(tmp_path, monkeypatch, no_figures):
    original = fused._Workspace.run
    monkeypatch.setattr(fused._Workspace, "run", lambda self, theta, lr, n, record: original(self, theta, lr * 1.01, n, record))
    code, text = study("--out", str(tmp_path), "--iterations", "100", "--engine", "numba")
    assert code == 1 and "fast path: run random seed 3" in " ".join(text.split())
    assert not (tmp_path / "initialization.pkl").exists()


def test_decision_grid_is_the_notebooks():
    X = circles()[0]
    for mine, theirs in zip(figures.decision_grid(X), notebook_grid(X)):
        np.testing.assert_array_equal(mine, theirs)
    xx, yy = figures.decision_grid(X)
    parameters = init_study.initial_parameters([3])[0][2]
    Z = init_study.decision_values(parameters, X)
    assert Z[5, 7] == predict(np.array([[xx[5, 7]], [yy[5, 7]]]), parameters)[0, 0]


def test_a_sweep_trains_zeros_once_and_reports_every_run():
    starts, keys, index = init_study.distinct_starts([3, 4, 5])
    assert len(keys) == 9 and len(starts) == 7  # zeros once, random and He per seed
    zeros_positions = {index[run] for run, (method, _) in enumerate(keys) if method.name == "zeros"}
    assert len(zeros_positions) == 1
    for run, (method, seed) in enumerate(keys):
        if method.name != "zeros":
            expected = init_study.get_initializer(method.name)(init_study.LAYERS_DIMS, seed=seed)
            assert all(np.array_equal(starts[index[run]][name], expected[name]) for name in expected)


# ---------------------------------------------------------------- the bundle's data cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty data cache, and a study short enough (100 iterations) to build its pickle in well under a second."""
    monkeypatch.setenv("GRADELAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(init_study, "ITERATIONS", 100)
    return tmp_path / "cache"


def untrainable(monkeypatch):
    def train_all(*args, **kwargs):
        raise AssertionError("the study was trained")

    monkeypatch.setattr(init_study, "train_all", train_all)


def test_a_second_bundle_copies_the_data_and_does_not_train(cache, tmp_path, monkeypatch):
    first = notebook.write_data(tmp_path / "a", overwrite=False)[0]
    assert first.name == "initialization.pkl" and list(pickle.loads(first.read_bytes())) == KEYS
    assert data_cache.entry_path(notebook.DATA_FILE).is_file()
    untrainable(monkeypatch)
    second = notebook.write_data(tmp_path / "b", overwrite=False)[0]
    assert second.read_bytes() == first.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        notebook.write_data(tmp_path / "b", overwrite=False)


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "empty", "valid hash, wrong content"])
def test_a_damaged_cache_entry_is_rebuilt_not_trusted(cache, tmp_path, monkeypatch, damage):
    good = notebook.write_data(tmp_path / "a", overwrite=False)[0].read_bytes()
    entry = data_cache.entry_path(notebook.DATA_FILE)
    raw = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip a byte":
        entry.write_bytes(raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # the hash matches, but the payload is not the notebook's pickle
        payload = pickle.dumps({"zero initialization": {}})
        entry.write_bytes(data_cache.hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert data_cache.read_entry(notebook.DATA_FILE) is None
    with monkeypatch.context() as patch:  # proof that the damaged entry is not used: it would need training
        untrainable(patch)
        with pytest.raises(AssertionError, match="trained"):
            notebook.write_data(tmp_path / "b", overwrite=False)
    rebuilt = notebook.write_data(tmp_path / "c", overwrite=False)[0].read_bytes()
    assert rebuilt == good and data_cache.read_entry(notebook.DATA_FILE) == good


def test_the_key_changes_with_the_libraries_and_the_sources(cache, monkeypatch):
    spec = notebook.DATA_FILE
    before = data_cache.entry_path(spec)
    assert "nn/layers.py" in data_cache.source_digests(spec.sources)
    assert "kernels/fused.py" in data_cache.source_digests(spec.sources)
    with monkeypatch.context() as patch:
        patch.setattr(data_cache.metadata, "version", lambda name: "0.0-other")
        assert data_cache.entry_path(spec) != before
    with monkeypatch.context() as patch:
        digests = data_cache.source_digests
        patch.setattr(data_cache, "source_digests", lambda sources: {**digests(sources), "studies/init_study.py": "edited"})
        assert data_cache.entry_path(spec) != before
    assert data_cache.entry_path(spec) == before


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADELAB_CACHE", str(tmp_path / "mine"))
    assert data_cache.cache_root() == tmp_path / "mine"
    monkeypatch.delenv("GRADELAB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_cache.cache_root() == tmp_path / "xdg" / "gradelab"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec says to ignore a relative one
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_cache.cache_root() == tmp_path / "home" / ".cache" / "gradelab"


def test_a_cache_that_cannot_be_written_still_gives_the_bundle(cache, tmp_path):
    cache.write_text("a file where the cache folder should be")
    path = notebook.write_data(tmp_path / "a", overwrite=False)[0]
    assert list(pickle.loads(path.read_bytes())) == KEYS


def test_old_entries_are_pruned(cache, tmp_path, monkeypatch):
    folder = cache / data_cache.FOLDER
    folder.mkdir(parents=True)
    for n in range(6):
        old = folder / f"initialization.pkl.{n:032x}.entry"
        old.write_bytes(b"old")
        os.utime(old, (1000 + n, 1000 + n))
    notebook.write_data(tmp_path / "a", overwrite=False)
    left = sorted(path.name for path in folder.iterdir())
    assert len(left) == data_cache.KEEP and data_cache.entry_path(notebook.DATA_FILE).name in left
    assert f"initialization.pkl.{5:032x}.entry" in left and f"initialization.pkl.{0:032x}.entry" not in left


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_files_follow_the_umask_not_0600(tmp_path, umask):
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "data.pkl", b"bytes")
    finally:
        os.umask(previous)
    assert (tmp_path / "data.pkl").stat().st_mode & 0o777 == 0o666 & ~umask
    assert [path.name for path in tmp_path.iterdir()] == ["data.pkl"]  # no temporary file left behind


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "data.pkl"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "text, not bytes")  # fails in the middle, after the temporary file exists
    assert target.read_bytes() == b"old" and [path.name for path in Path(tmp_path).iterdir()] == ["data.pkl"]
