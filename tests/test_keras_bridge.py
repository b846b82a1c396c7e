"""The bridge: Keras' layout <-> the course's {"W1", "b1", ...}, forward passes, and explain_weights()."""

import math

import numpy as np
import pytest

from gradelab import nn
from gradelab.keras import Dense, Input, Sequential, clear_session, course_forward, set_seed


@pytest.fixture(autouse=True)
def fresh_session():
    clear_session()
    set_seed(21)


def relu_sigmoid_model():
    return Sequential(
        [Input(shape=(3,)), Dense(5, "relu", bias_initializer="random_normal"), Dense(4, "relu"), Dense(1, "sigmoid")]
    )


def test_to_course_parameters_transposes():
    model = relu_sigmoid_model()
    parameters = model.to_course_parameters()
    assert sorted(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert [parameters[f"W{l}"].shape for l in (1, 2, 3)] == [(5, 3), (4, 5), (1, 4)]
    assert [parameters[f"b{l}"].shape for l in (1, 2, 3)] == [(5, 1), (4, 1), (1, 1)]
    kernel, bias = model.layers[0].get_weights()
    assert np.array_equal(parameters["W1"], kernel.T) and np.array_equal(parameters["b1"], bias[:, None])
    parameters["W1"][0, 0] = 42.0
    assert model.layers[0].kernel[0, 0] != 42.0  # a copy, not a view


def test_course_L_model_forward_equals_predict():
    model = relu_sigmoid_model()
    X = np.random.default_rng(0).normal(size=(50, 3))
    AL, _ = nn.L_model_forward(X.T, model.to_course_parameters())
    np.testing.assert_allclose(AL.T, model.predict(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activations", [["tanh", "softmax"], ["sigmoid", None], ["relu", "linear"], ["tanh", "sigmoid"]])
def test_course_forward_follows_each_activation(activations):
    model = Sequential([Input(shape=(3,)), Dense(6, activations[0]), Dense(4, activations[1])])
    X = np.random.default_rng(1).normal(size=(20, 3))
    AL, caches = course_forward(X.T, model.to_course_parameters(), model.activations())
    assert AL.shape == (4, 20) and len(caches) == 2
    np.testing.assert_allclose(AL.T, model.predict(X), rtol=1e-12, atol=1e-15)


def test_from_course_parameters_round_trip():
    parameters = nn.initialize_parameters_he([3, 5, 4, 1], seed=3)
    parameters["b2"] = np.arange(4.0)[:, None]
    model = Sequential.from_course_parameters(parameters, activations=["relu", "relu", "sigmoid"], name="from_course")
    assert model.name == "from_course" and model.activations() == ["relu", "relu", "sigmoid"]
    assert model.get_weights()[2].shape == (5, 4) and np.array_equal(model.get_weights()[3], np.arange(4.0))
    back = model.to_course_parameters()
    assert all(np.array_equal(back[key], parameters[key]) for key in parameters)
    X = np.random.default_rng(2).normal(size=(30, 3))
    np.testing.assert_allclose(model.predict(X), nn.L_model_forward(X.T, parameters)[0].T, rtol=1e-12)


def test_keras_to_course_to_keras_round_trip():
    model = relu_sigmoid_model()
    again = Sequential.from_course_parameters(model.to_course_parameters(), model.activations())
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), again.get_weights(), strict=True))


@pytest.mark.parametrize(
    "change, activations, message",
    [
        (lambda p: p.update(W2=np.zeros((4, 6))), ["relu", "relu", "sigmoid"], r"W2 has shape \(4, 6\)"),
        (lambda p: p.update(b1=np.zeros(5)), ["relu", "relu", "sigmoid"], r"b1 must have shape \(5, 1\)"),
        (lambda p: None, ["relu", "sigmoid"], "3 layers"),
        (lambda p: None, ["relu", "relu", "swish"], "activation must be"),
    ],
)
def test_from_course_parameters_errors(change, activations, message):
    parameters = nn.initialize_parameters_he([3, 5, 4, 1], seed=3)
    change(parameters)
    with pytest.raises(ValueError, match=message):
        Sequential.from_course_parameters(parameters, activations)


def test_explain_weights_prints_and_returns_rows(capsys):
    set_seed(1234)
    model = Sequential(
        [Input(shape=(2,)), Dense(3, "sigmoid", name="layer1"), Dense(1, "sigmoid", kernel_initializer="he_normal")]
    )
    rows = model.explain_weights()
    out = capsys.readouterr().out
    for text in ("layer1", "(2, 3) -> W1 (3, 2)", "GlorotUniform", "HeNormal", "set_seed(1234)", "fan_in"):
        assert text in out
    first, second = rows
    assert first["kernel_shape"] == (2, 3) and first["W_shape"] == (3, 2) and (first["fan_in"], first["fan_out"]) == (2, 3)
    assert first["std_target"] == pytest.approx(math.sqrt(2 / 5)) and second["std_target"] == pytest.approx(math.sqrt(2 / 3))
    assert first["std_drawn"] == pytest.approx(model.layers[0].kernel.std())
    assert first["initializer"] == "GlorotUniform = VarianceScaling(1, fan_avg, uniform)"


def test_explain_weights_on_a_big_layer_hits_its_target():
    model = Sequential([Input(shape=(1000,)), Dense(800, kernel_initializer="lecun_normal")])
    (row,) = model.explain_weights()
    assert row["std_drawn"] == pytest.approx(row["std_target"], rel=0.01) and row["std_target"] == pytest.approx(
        math.sqrt(1 / 1000)
    )


def test_explain_weights_after_set_weights_has_no_drawn_std():
    model = Sequential.from_course_parameters(nn.initialize_parameters_he([2, 3, 1], seed=1), ["relu", "sigmoid"])
    rows = model.explain_weights()
    assert all(row["weights_source"] == "set_weights" and row["std_drawn"] is None for row in rows)
