"""gradelab.keras: building, seeds and names, weights and their checks, summary, compile/fit/evaluate."""

import subprocess
import sys

import numpy as np
import pytest

from gradelab.keras import (
    SGD,
    Adam,
    BinaryCrossentropy,
    Dense,
    Input,
    LambdaCallback,
    Sequential,
    SparseCategoricalCrossentropy,
    clear_session,
    set_seed,
)
from gradelab.nn.datasets import circles

SEED_PROGRAM = """
from gradelab.keras import Sequential, Input, Dense, set_seed
set_seed(1234)
model = Sequential([Input(shape=(2,)), Dense(3, activation='sigmoid', name='layer1'),
                    Dense(1, activation='sigmoid', name='layer2')])
W1, b1 = model.get_layer("layer1").get_weights(); W2, b2 = model.get_layer("layer2").get_weights()
print(f"W1{W1.shape}:", W1.tolist(), f"b1{b1.shape}:", b1.tolist())
print(f"W2{W2.shape}:", W2.tolist(), f"b2{b2.shape}:", b2.tolist())
"""
# Appended to the seed program: a model built after clear_session() (which forgets the seed).
UNSEEDED = """
from gradelab.keras import clear_session
clear_session()
print("unseeded:", Sequential([Input(shape=(2,)), Dense(3)]).get_weights()[0].tolist())
"""


@pytest.fixture(autouse=True)
def fresh_session():
    clear_session()


def seed_model(seed=1234):
    set_seed(seed)
    return Sequential(
        [Input(shape=(2,)), Dense(3, activation="sigmoid", name="layer1"), Dense(1, activation="sigmoid", name="layer2")]
    )


def circles_rows():
    train_X, train_Y, test_X, test_Y = circles()
    return train_X.T, train_Y.ravel(), test_X.T, test_Y.ravel()


# -- the seed's program ------------------------------------------------------------


def run_program(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout


def test_seed_program_gives_keras_shapes_and_the_same_weights_in_two_runs():
    """Two fresh processes: set_seed(1234) gives the same weights; without a seed they differ, as in Keras."""
    first, second = (run_program(SEED_PROGRAM + UNSEEDED).split("unseeded:") for _ in range(2))
    assert first[0] == second[0]
    assert "W1(2, 3):" in first[0] and "b1(3,): [0.0, 0.0, 0.0]" in first[0]
    assert "W2(3, 1):" in first[0] and "b2(1,): [0.0]" in first[0]
    assert first[1] != second[1]


def test_same_seed_same_weights_other_seed_other_weights():
    weights = seed_model(1234).get_weights()
    again = seed_model(1234).get_weights()
    other = seed_model(1235).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(weights, again, strict=True))
    assert not np.array_equal(weights[0], other[0])
    assert not np.array_equal(weights[0][:, :1], weights[2][:2])  # each layer has its own stream


def test_weights_do_not_use_or_change_numpy_global_random_state():
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    weights = seed_model().get_weights()[0]
    assert np.array_equal(np.random.get_state()[1], state)
    np.random.seed(99)
    assert np.array_equal(seed_model().get_weights()[0], weights)


def test_glorot_uniform_default_and_zero_bias_within_limit():
    model = seed_model()
    W1, b1 = model.get_layer("layer1").get_weights()
    assert np.all(np.abs(W1) <= np.sqrt(6 / (2 + 3))) and np.array_equal(b1, np.zeros(3))


# -- building and names --------------------------------------------------------------


def test_weights_exist_before_data_from_input_input_shape_input_dim_or_build():
    set_seed(1)
    from_input = Sequential([Input(shape=(2,)), Dense(3), Dense(1)])
    set_seed(1)
    from_shape = Sequential([Dense(3, input_shape=(2,)), Dense(1)])
    set_seed(1)
    from_dim = Sequential([Dense(3, input_dim=2), Dense(1)])
    set_seed(1)
    later = Sequential([Dense(3), Dense(1)])
    assert not later.built
    with pytest.raises(ValueError, match="no weights yet"):
        later.get_layer(index=0).get_weights()
    later.build((None, 2))
    for model in (from_input, from_shape, from_dim, later):
        assert model.built and [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]
        assert np.array_equal(model.get_weights()[0], from_input.get_weights()[0])


def test_unbuilt_model_builds_on_first_data():
    model = Sequential([Dense(2, activation="relu"), Dense(1)])
    assert model.predict(np.ones((5, 4))).shape == (5, 1)
    assert model.get_weights()[0].shape == (4, 2)


def test_default_names_count_per_session_as_keras():
    first = Sequential([Input(shape=(2,)), Dense(3), Dense(1)])
    second = Sequential([Input(shape=(2,)), Dense(3, name="mine"), Dense(1)])
    assert first.name == "sequential" and second.name == "sequential_1"
    assert [layer.name for layer in first.layers] == ["dense", "dense_1"]
    assert [layer.name for layer in second.layers] == ["mine", "dense_2"]
    set_seed(3)  # like tf.random.set_seed, it does not reset names
    assert Dense(1).name == "dense_3"
    clear_session()
    assert Dense(1).name == "dense"


def test_get_layer_errors_list_the_layers():
    model = seed_model()
    assert model.get_layer("layer2") is model.layers[1] and model.get_layer(index=0).name == "layer1"
    with pytest.raises(ValueError, match=r"No such layer: 'layer3'. Existing layers are: \['layer1', 'layer2'\]"):
        model.get_layer("layer3")


@pytest.mark.parametrize(
    "layers, message",
    [
        ([Dense(1, name="a"), Dense(1, name="a")], "unique names"),
        ([Dense(1), Input(shape=(2,))], "Input"),
        (["dense"], "takes Input and Dense"),
    ],
)
def test_bad_layer_lists(layers, message):
    with pytest.raises(ValueError, match=message):
        Sequential(layers)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": 0}, "units"),
        ({"units": 2, "activation": "softplus"}, "activation"),
        ({"units": 2, "kernel_initializer": "x"}, "Unknown"),
    ],
)
def test_bad_dense_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Dense(**kwargs)


def test_input_shape_must_be_a_flat_vector():
    with pytest.raises(ValueError, match=r"\(n_x,\)"):
        Input(shape=(28, 28))
    assert Input(shape=2).shape == (None, 2)


# -- get_weights / set_weights ------------------------------------------------------------


def test_set_weights_round_trip_and_copies():
    layer = seed_model().get_layer("layer1")
    kernel, bias = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    layer.set_weights([kernel, bias])
    got = layer.get_weights()
    assert np.array_equal(got[0], kernel) and np.array_equal(got[1], bias)
    got[0][0, 0] = 99
    assert layer.get_weights()[0][0, 0] == 0  # get_weights returns copies


@pytest.mark.parametrize(
    "weights, message",
    [
        ([np.zeros((3, 2)), np.zeros(3)], r"kernel must have shape \(2, 3\), got \(3, 2\); that is the course layout W\[l\]"),
        ([np.zeros((2, 3)), np.zeros((3, 1))], r"bias must have shape \(3,\), got \(3, 1\); that is the course layout b\[l\]"),
        ([np.zeros((2, 4)), np.zeros(3)], r"kernel must have shape \(2, 3\), got \(2, 4\)$"),
        ([np.zeros((2, 3))], "expects 2 arrays"),
    ],
)
def test_set_weights_shape_errors(weights, message):
    with pytest.raises(ValueError, match=message):
        seed_model().get_layer("layer1").set_weights(weights)


def test_model_set_weights_count():
    model = seed_model()
    with pytest.raises(ValueError, match="expects 4 arrays"):
        model.set_weights(model.get_weights()[:2])


def test_course_layout_x_is_caught():
    model = seed_model()
    with pytest.raises(ValueError, match=r"course layout \(n_x, m\): pass X.T"):
        model.predict(np.zeros((2, 5)))


# -- summary ---------------------------------------------------------------------------------


def test_summary_prints_names_shapes_and_counts(capsys):
    seed_model().summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    for text in ("Layer (type)", "Output Shape", "Param #", "layer1 (Dense)", "(None, 3)", "layer2 (Dense)", "(None, 1)"):
        assert text in out
    assert "Total params: 13 (104.00 B)" in out and "Trainable params: 13" in out and "Non-trainable params: 0" in out
    rows = [line for line in out.splitlines() if "(Dense)" in line]
    assert rows[0].rstrip(" │").endswith("9") and rows[1].rstrip(" │").endswith("4")


def test_summary_print_fn_and_unbuilt_model():
    lines = []
    Sequential([Dense(4), Dense(1)], name="lazy").summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "lazy"' in text and "0 (unbuilt)" in text and "Total params: 0" in text


# -- compile, fit, evaluate --------------------------------------------------------------------------


def small_classifier(seed=0, output="sigmoid", units=1):
    set_seed(seed)
    return Sequential(
        [Input(shape=(2,)), Dense(8, activation="relu"), Dense(8, activation="relu"), Dense(units, activation=output)]
    )


def test_fit_learns_circles_and_returns_history():
    X, y, X_test, y_test = circles_rows()
    model = small_classifier()
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=150, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "accuracy"} and len(history.history["loss"]) == 150 and history.epoch[-1] == 149
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    loss, accuracy = model.evaluate(X_test, y_test)
    assert accuracy > 0.9 and loss < 0.35
    assert model.predict(X_test).shape == (100, 1)


def test_epoch_loss_is_taken_before_the_update():
    X, y, _, _ = circles_rows()
    model = small_classifier()
    model.compile(optimizer=SGD(0.1), loss="binary_crossentropy")
    before = model.evaluate(X, y)
    history = model.fit(X, y, epochs=2, batch_size=len(X), verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-12)
    assert history.history["loss"][1] < before and set(history.history) == {"loss"}


def test_sgd_step_is_w_minus_lr_grad():
    X, y, _, _ = circles_rows()
    model = small_classifier()
    model.compile(optimizer=SGD(0.5), loss="binary_crossentropy")
    start = model.get_weights()
    _, grads = model.loss_and_gradients(X[:40], y[:40])
    model.fit(X[:40], y[:40], epochs=1, batch_size=40, verbose=0)
    for w0, g, w1 in zip(start, grads, model.get_weights(), strict=True):
        np.testing.assert_allclose(w1, w0 - 0.5 * g, rtol=0, atol=1e-14)


def test_adam_matches_the_course_formula_with_keras_epsilon():
    """Keras' step lr_t m / (sqrt(v) + eps) is the course's m_hat / (sqrt(v_hat) + eps / sqrt(1 - beta2^t))."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 2))
    w_ref, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    adam = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.9, epsilon=1e-3)
    for t in range(1, 4):
        g = rng.normal(size=w.shape)
        adam.apply([w], [g])
        m, v = 0.8 * m + 0.2 * g, 0.9 * v + 0.1 * g * g
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.9**t)
        w_ref -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-3 / np.sqrt(1 - 0.9**t))
        np.testing.assert_allclose(w, w_ref, rtol=1e-12)


def test_first_adam_step_is_about_lr_times_sign():
    w, g = np.zeros(4), np.array([3.0, -0.2, 0.01, -50.0])
    Adam(learning_rate=0.1).apply([w], [g])
    np.testing.assert_allclose(w, -0.1 * np.sign(g), rtol=1e-3)  # eps matters only for tiny g


def test_from_logits_equals_sigmoid_output():
    X, y, _, _ = circles_rows()
    probabilities = small_classifier(3, "sigmoid")
    logits = small_classifier(3, None)
    probabilities.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    logits.compile(optimizer="sgd", loss=BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    assert probabilities.evaluate(X, y) == pytest.approx(logits.evaluate(X, y), rel=1e-12)
    for a, b in zip(probabilities.loss_and_gradients(X, y)[1], logits.loss_and_gradients(X, y)[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_sparse_categorical_with_softmax_and_with_logits():
    X, y, _, _ = circles_rows()
    softmax = small_classifier(4, "softmax", units=2)
    logits = small_classifier(4, None, units=2)  # same seed, same weights; only the activation differs
    softmax.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logits.compile(optimizer=Adam(0.01), loss=SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    assert softmax.evaluate(X, y) == pytest.approx(logits.evaluate(X, y), rel=1e-12)
    history = softmax.fit(X, y, epochs=100, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_fit_progress_bar_and_verbose_2(capsys):
    X, y, _, _ = circles_rows()
    model = small_classifier()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "10/10" in out and "accuracy:" in out
    model.fit(X, y, epochs=1, verbose=2)
    assert "Epoch 1/1 - 10 steps - loss:" in capsys.readouterr().out
    model.fit(X, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_callbacks_see_every_epoch():
    X, y, _, _ = circles_rows()
    model = small_classifier()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    seen = []
    model.fit(X, y, epochs=3, verbose=0, callbacks=[LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs)))])
    assert [epoch for epoch, _ in seen] == [0, 1, 2] and all("loss" in logs for _, logs in seen)


def test_fit_with_set_seed_is_reproducible():
    X, y, _, _ = circles_rows()
    results = []
    for _ in range(2):
        model = small_classifier(7)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        results.append(model.fit(X, y, epochs=3, verbose=0).history["loss"])
    assert results[0] == results[1]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m, X, y: m.fit(X, y), r"call model.compile"),
        (lambda m, X, y: m.compile(loss="hinge"), "Unknown loss 'hinge'"),
        (lambda m, X, y: m.compile(loss="binary_crossentropy", optimizer="rmsprop"), "Unknown optimizer 'rmsprop'"),
        (lambda m, X, y: m.compile(loss="binary_crossentropy", metrics=["auc"]), "Unknown metrics"),
        (lambda m, X, y: m.compile(optimizer="sgd"), "compile.. needs a loss"),
    ],
)
def test_compile_errors(call, message):
    X, y, _, _ = circles_rows()
    with pytest.raises(ValueError, match=message):
        call(small_classifier(), X, y)


def test_fit_data_errors():
    X, y, _, _ = circles_rows()
    model = small_classifier()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"pass Y.ravel\(\)"):
        model.fit(X, y[None, :], verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(X, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        model.fit(X, y + 1, verbose=0)


def test_a_layer_is_callable_on_data_and_builds_itself():
    set_seed(2)
    layer = Dense(3, activation="relu")
    out = layer(np.ones((4, 2)))
    assert out.shape == (4, 3) and layer.get_weights()[0].shape == (2, 3)
    np.testing.assert_allclose(out, np.maximum(0, np.ones((4, 2)) @ layer.kernel + layer.bias))


def test_a_failed_add_leaves_the_model_unchanged():
    model = Sequential([Input(shape=(2,)), Dense(3)])
    built_for_five = Dense(1)
    built_for_five.build((None, 5))
    with pytest.raises(ValueError, match="built for 5 inputs"):
        model.add(built_for_five)
    assert len(model.layers) == 1
