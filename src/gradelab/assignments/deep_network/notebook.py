"""The student notebook of the deep network assignment, built from the solution's functions (blanked by bundle.py)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

INTRO = """# Building a deep neural network, step by step

You will write every piece of an L-layer network, [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, in NumPy:
initialization, the forward pass, the cost, the backward pass and the update, then train two models that tell
two handwritten digits apart (scikit-learn's 8x8 digits).

Notation: superscript [l] is layer l, X = A[0] has shape (n_x, m) with one example per column, W[l] has shape
(n_l, n_{l-1}), b[l] (n_l, 1). The helpers `sigmoid`, `relu` (each returns `(A, cache)` with cache = Z),
`sigmoid_backward` and `relu_backward` are given.

After each function, run the check cell below it. The checks run your saved notebook's functions on small
cases; your final grade adds hidden cases (deeper and wider networks, other batch sizes)."""

CACHES = """## What the caches hold, and how the gradients flow

```
 forward:   X = A[0] --layer 1--> A[1] --layer 2--> ... --layer L--> AL = sigmoid(Z[L])
 caches:        caches[0]             caches[1]              caches[L-1]
              ((A[0], W[1], b[1]), Z[1])  ((A[1], W[2], b[2]), Z[2])  ((A[L-1], W[L], b[L]), Z[L])
                 ^ linear cache      ^ activation cache

 backward:  dAL --layer L--> dA[L-1] --...--> dA[1] --layer 1--> dA[0] (not used: X is data)
                 |dW[L], db[L]                      |dW[1], db[1]
```

**Why X never appears in the backward pass, although dW[1] = 1/m dZ[1] A[0]^T needs it.** Each layer's linear
cache stores that layer's *input*. For layer 1 the input is A[0] = X, so `caches[0][0][0]` *is* X: the forward pass
put it there. `L_model_backward` never needs X by name. (It also produces dA[0], which nobody uses: we do not
change the data.)

**Why the shortcut dZ[L] = AL - Y agrees with dAL * sigmoid'(Z[L]), and when it would not.** With
dAL = -(Y/AL - (1 - Y)/(1 - AL)) and sigmoid'(Z[L]) = s(1 - s), the product simplifies to AL - Y *only
because* AL = s = sigmoid(Z[L]). In real training that always holds, so both ways give the same gradients,
and the grader accepts both. A test that made AL and Z[L] up independently at random (AL = 1.79, say, which no
sigmoid can output) breaks that identity, and then the two formulas disagree. Our checks build every cache with
a real forward pass, so they never do that."""

TRAINING = """## Train the models

The data: images of two digits, 8x8 pixels flattened into 64 features scaled to [0, 1], one example per column."""

TRAIN_CODE = """from sklearn.datasets import load_digits

digits = load_digits()
keep = (digits.target == 3) | (digits.target == 8)
X_all, Y_all = digits.data[keep].T / 16.0, (digits.target[keep] == 8).astype(int).reshape(1, -1)
order = np.random.default_rng(0).permutation(Y_all.shape[1])
X_all, Y_all = X_all[:, order], Y_all[:, order]
train_X, train_Y, test_X, test_Y = X_all[:, :200], Y_all[:, :200], X_all[:, 200:], Y_all[:, 200:]


def predict(X, parameters):
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(int)


parameters, costs = two_layer_model(train_X, train_Y, (64, 8, 1), learning_rate=0.3, num_iterations=130, print_cost=True)
print("two-layer test accuracy:", np.mean(predict(test_X, parameters) == test_Y))
parameters, costs = L_layer_model(train_X, train_Y, [64, 20, 1], learning_rate=0.5, num_iterations=130, print_cost=True)
print("L-layer test accuracy:", np.mean(predict(test_X, parameters) == test_Y))"""

SECTIONS = [  # (function, exercise id, what to write)
    ("initialize_parameters", "TestInitializeParameters", "## 1. Initialize a 2-layer network"),
    ("initialize_parameters_deep", "TestInitializeParametersDeep", "## 2. Initialize an L-layer network"),
    ("linear_forward", "TestLinearForward", "## 3. Linear forward: Z = W A + b"),
    ("linear_activation_forward", "TestLinearActivationForward", "## 4. One layer forward: A = g(Z)"),
    ("L_model_forward", "TestLModelForward", "## 5. The whole forward pass"),
    ("compute_cost", "TestComputeCost", "## 6. The cross-entropy cost"),
    ("linear_backward", "TestLinearBackward", "## 7. Linear backward\n\ndW = 1/m dZ A_prev^T, db = 1/m sum(dZ), "
                                              "dA_prev = W^T dZ."),
    ("linear_activation_backward", "TestLinearActivationBackward", "## 8. One layer backward: dZ = dA * g'(Z)"),
    ("L_model_backward", "TestLModelBackward", "## 9. The whole backward pass\n\nStart from dAL = -(Y/AL - (1-Y)/(1-AL)). "
                                               "X is A[0], inside caches[0]'s linear cache (see the section on caches)."),
    ("update_parameters", "TestUpdateParameters", "## 10. Gradient descent: W = W - learning_rate dW"),
    ("two_layer_model", "TestTwoLayerModel", "## 11. A 2-layer model"),
    ("L_layer_model", "TestLLayerModel", "## 12. An L-layer model"),
]

IMPORTS = """import copy

import numpy as np

from gradelab.student.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward"""


def build(functions: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook: intro, the cache picture, one cell per graded function with its check, and the training."""
    cells = [new_markdown_cell(INTRO), new_code_cell(IMPORTS), new_markdown_cell(CACHES)]
    for function, exercise_id, text in SECTIONS:
        cells.append(new_markdown_cell(text))
        cells.append(new_code_cell(functions[function]))
        cells.append(new_code_cell(f"!python tests/test_deep_network.py --test_case {exercise_id}"))
    cells += [new_markdown_cell(TRAINING), new_code_cell(TRAIN_CODE)]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook
