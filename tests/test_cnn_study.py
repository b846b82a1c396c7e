"""Tests of ``gradelab study cnn`` (gradelab.studies.cnn_study)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradelab.cli import main
from gradelab.kernels import conv as conv_fast
from gradelab.nn.gradcheck import gradient_check
from gradelab.studies import cnn_study


def _run(tmp_path, *extra):
    out = tmp_path / "out"
    assert main(["study", "cnn", "--out", str(out), "--no-progress", *extra]) == 0
    return out, json.loads((out / "cnn_results.json").read_text())


def test_default_run_learns_the_digits_and_writes_its_files(tmp_path, capsys):
    out, results = _run(tmp_path)
    assert results["test_accuracy"] > 0.95  # chance is 0.10
    assert len(results["costs"]) == 11 and results["costs"][-1] < 0.2 * results["costs"][0]
    assert "test accuracy" in capsys.readouterr().out
    for name in cnn_study.OUTPUT_FILES:
        assert (out / name).stat().st_size > 0
    assert (out / "cnn_cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path):
    _, first = _run(tmp_path / "a", "--epochs", "2", "--seed", "3")
    _, second = _run(tmp_path / "b", "--epochs", "2", "--seed", "3")
    _, other = _run(tmp_path / "c", "--epochs", "2", "--seed", "4")
    assert first == second
    assert first["costs"] != other["costs"]


def test_leaves_other_files_in_out_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "cost.png").write_bytes(b"another study's figure")
    _run(tmp_path, "--epochs", "1")
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "cost.png").read_bytes() == b"another study's figure"
    assert sorted(p.name for p in out.iterdir()) == sorted(["notes.txt", "cost.png", *cnn_study.OUTPUT_FILES])


def test_rejects_bad_settings(capsys):
    for flag, value in (("--epochs", "0"), ("--beta", "1"), ("--learning-rate", "-0.1")):
        with pytest.raises(SystemExit):
            main(["study", "cnn", flag, value])
        assert flag in capsys.readouterr().err


def _small_batch(n_filters=3, m=6):
    rng = np.random.default_rng(0)
    X_train, y_train, _, _ = cnn_study.load_data(seed=1)
    parameters = cnn_study.initialize_parameters(n_filters, rng)
    parameters["b1"] = rng.normal(scale=0.1, size=parameters["b1"].shape)
    return X_train[:m], cnn_study.one_hot(y_train[:m]), parameters


def test_backward_passes_a_gradient_check_on_real_digits():
    X, Y, parameters = _small_batch()
    A2, _, caches = cnn_study.forward(X, parameters)
    grads = cnn_study.backward(A2, Y, caches)
    errors = gradient_check(lambda p: cnn_study.compute_cost(cnn_study.forward(X, p)[1], Y), parameters, grads)
    assert max(errors.values()) < 1e-7, errors


def test_the_course_tie_rule_would_inflate_db1_on_these_digits():
    # Why the study shares the gradient among tied maxima: blank background gives
    # windows of four equal ReLU outputs, and the course's mask sends dA to all four.
    X, Y, parameters = _small_batch()
    A2, _, caches = cnn_study.forward(X, parameters)
    conv_cache, relu_cache, pool_cache, P1, _ = caches
    assert (cnn_study.count_maxima(pool_cache[0], P1, cnn_study.POOL_HPARAMETERS) > 1).mean() > 0.1
    dP1 = np.ones_like(P1)
    shared = cnn_study.max_pool_backward_shared(dP1, pool_cache, P1)
    course = conv_fast.pool_backward(dP1, pool_cache, mode="max")
    assert shared.sum() == pytest.approx(dP1.sum())  # shared: the gradient is conserved
    assert course.sum() > 1.2 * dP1.sum()  # course: counted once per tied maximum


def test_count_maxima():
    A_prev = np.array([[5.0, 5.0, 1.0, 2.0], [0.0, 5.0, 3.0, 0.0]]).reshape(1, 2, 4, 1)
    A, _ = conv_fast.pool_forward(A_prev, {"f": 2, "stride": 2})
    np.testing.assert_array_equal(cnn_study.count_maxima(A_prev, A, {"f": 2, "stride": 2})[0, 0, :, 0], [3, 1])
