"""``gradelab study symmetry``: equal rows stay equal from a constant start, random rows differ."""

import json

import numpy as np
import pytest

from gradelab.cli import main
from gradelab.studies import symmetry_study


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("symmetry")
    (out / "keep.txt").write_text("not the study's")
    code = main(["study", "symmetry", "--epochs", "40", "--out", str(out)])
    return code, out, json.loads((out / "symmetry.json").read_text())


def test_writes_only_its_files(default_run):
    code, out, _ = default_run
    assert code == 0
    assert sorted(path.name for path in out.iterdir()) == ["keep.txt", "symmetry.json", "symmetry.png"]
    assert (out / "keep.txt").read_text() == "not the study's"
    assert (out / "symmetry.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_zeros_rows_stay_equal_while_learning_and_random_rows_differ(default_run):
    _, _, data = default_run
    symmetric, random = data["runs"]
    assert symmetric["initializer"] == "zeros" and random["initializer"] == "glorot_uniform"
    spreads = np.array(symmetric["row_spreads"])
    assert spreads.shape == (41, 2)  # before training and after each of 40 epochs, for W[1] and W[2]
    assert spreads.max() <= symmetry_study.EQUAL_TOLERANCE
    assert min(symmetric["moved"]) > 0.01  # the weights did move: same thing learned, not nothing
    W1 = np.array(symmetric["parameters"]["W1"])
    np.testing.assert_allclose(W1, np.broadcast_to(W1[0], W1.shape), rtol=0, atol=1e-12)
    assert np.min(random["row_spreads"]) > 0.1
    assert random["test_accuracy"] > symmetric["test_accuracy"]
    assert "learned the same thing" in " ".join(data["notes"])


def test_prints_table_and_explanation(tmp_path, capsys):
    main(["study", "symmetry", "--epochs", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    for text in ("kernel init", "spread W[1]", "zeros", "glorot_uniform", "sigmoid(0) = 0.5", "W[1] (4, 2) after training"):
        assert text in out


def test_tanh_from_zeros_never_moves_and_says_so(tmp_path):
    main(["study", "symmetry", "--epochs", "5", "--hidden-activation", "tanh", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "symmetry.json").read_text())
    symmetric = data["runs"][0]
    assert max(symmetric["moved"]) == 0.0 and np.max(symmetric["row_spreads"]) == 0.0
    assert "never moved" in data["notes"][0]


def test_relu_from_ones_rows_stay_equal_and_move(tmp_path):
    main(
        ["study", "symmetry", "--epochs", "10", "--hidden-activation", "relu", "--symmetric-init", "ones", "--out", str(tmp_path)]
    )
    symmetric = json.loads((tmp_path / "symmetry.json").read_text())["runs"][0]
    assert np.max(symmetric["row_spreads"]) <= symmetry_study.EQUAL_TOLERANCE and min(symmetric["moved"]) > 0


def test_row_spread():
    W = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.5]])
    assert symmetry_study.row_spread(W, np.zeros((3, 1))) == 0.5
    assert symmetry_study.row_spread(W[:2], np.array([[0.0], [0.25]])) == 0.25
