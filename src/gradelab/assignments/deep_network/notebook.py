"""The student notebook of the deep network assignment, built from the solution's functions (blanked by bundle.py)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ...grading.rule import RULE

INTRO = """# Building a deep neural network, step by step

You will write every piece of an L-layer network, [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, in NumPy:
initialization, the forward pass, the cost, the backward pass and the update, then train two models that tell
two handwritten digits apart (scikit-learn's 8x8 digits).

Notation: superscript [l] is layer l, X = A[0] has shape (n_x, m) with one example per column, W[l] has shape
(n_l, n_{l-1}), b[l] (n_l, 1). The helpers `sigmoid`, `relu` (each returns `(A, cache)` with cache = Z),
`sigmoid_backward` and `relu_backward` are given.

After each function, run the check cell below it. The checks run your functions, as they are in the running notebook, on small
cases (deeper networks among them); your final grade adds cases of other sizes and other digits."""

INTRO += "\n\n**What the checker runs.** " + RULE

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
and both are right. Values of AL and Z[L] made up independently (AL = 1.79, say, which no sigmoid can output) would
break that identity, and then the two formulas would disagree."""

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
print("L-layer test accuracy:", np.mean(predict(test_X, parameters) == test_Y))

import matplotlib.pyplot as plt

plt.plot(np.squeeze(costs))
plt.ylabel("cost")
plt.xlabel("iterations (per hundred)")
plt.title("L-layer model, learning rate 0.5")
plt.show()"""

SECTIONS = [  # (function, exercise id, what to write); the heading's first line gets the exercise's points
    ("initialize_parameters", "TestInitializeParameters", "## 1. Initialize a 2-layer network\n\n"
     "$W^{[1]}$ has shape $(n_h, n_x)$ and $W^{[2]}$ shape $(n_y, n_h)$, drawn as `np.random.randn(...) * 0.01`; "
     "$b^{[1]}$, $b^{[2]}$ are zero columns. Keep the template's `np.random.seed(1)` line: it makes your numbers ours."),
    ("initialize_parameters_deep", "TestInitializeParametersDeep", "## 2. Initialize an L-layer network\n\n"
     "For $l = 1, \\dots, L$: $W^{[l]}$ of shape $(n^{[l]}, n^{[l-1]})$, `np.random.randn(...) * 0.01`, and $b^{[l]}$ "
     "zeros of shape $(n^{[l]}, 1)$. Keep the template's `np.random.seed(3)` line."),
    ("linear_forward", "TestLinearForward", "## 3. Linear forward\n\n$$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$$"),
    ("linear_activation_forward", "TestLinearActivationForward", "## 4. One layer forward\n\n"
     "$$A^{[l]} = g(Z^{[l]}) = g(W^{[l]} A^{[l-1]} + b^{[l]})$$ with $g$ the sigmoid or the ReLU."),
    ("L_model_forward", "TestLModelForward", "## 5. The whole forward pass\n\n"
     "[LINEAR -> RELU] $\\times (L-1)$ -> LINEAR -> SIGMOID, keeping every layer's cache."),
    ("compute_cost", "TestComputeCost", "## 6. The cross-entropy cost\n\n"
     "$$J = -\\frac{1}{m} \\sum_{i=1}^{m} \\left( y^{(i)} \\log a^{[L](i)} + (1 - y^{(i)}) \\log\\left(1 - a^{[L](i)}\\right) \\right)$$"),
    ("linear_backward", "TestLinearBackward", "## 7. Linear backward\n\n"
     "$$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T} \\qquad db^{[l]} = \\frac{1}{m} \\sum_{i=1}^{m} dZ^{[l](i)} "
     "\\qquad dA^{[l-1]} = W^{[l]T} dZ^{[l]}$$"),
    ("linear_activation_backward", "TestLinearActivationBackward", "## 8. One layer backward\n\n"
     "$$dZ^{[l]} = dA^{[l]} * g'(Z^{[l]})$$ then the linear backward step."),
    ("L_model_backward", "TestLModelBackward", "## 9. The whole backward pass\n\n"
     "Start from $$dA^{[L]} = -\\left( \\frac{Y}{A^{[L]}} - \\frac{1 - Y}{1 - A^{[L]}} \\right)$$ and go back through every "
     "layer down to layer 1. The keys are `dA0` .. `dA(L-1)`, `dW1` .. `dWL`, `db1` .. `dbL`: layer $l$ gives "
     "$dA^{[l-1]}$. X is $A^{[0]}$, inside `caches[0]`'s linear cache (see the section on caches)."),
    ("update_parameters", "TestUpdateParameters", "## 10. Gradient descent\n\n"
     "$$W^{[l]} = W^{[l]} - \\alpha \\, dW^{[l]} \\qquad b^{[l]} = b^{[l]} - \\alpha \\, db^{[l]}$$ with $\\alpha$ the "
     "learning rate. Update the copy the template makes: the caller's `params` stays as it was."),
    ("two_layer_model", "TestTwoLayerModel", "## 11. A 2-layer model\n\nRecord the cost every 100 iterations."),
    ("L_layer_model", "TestLLayerModel", "## 12. An L-layer model\n\nRecord the cost every 100 iterations."),
]

IMPORTS = """import copy

import numpy as np

from gradelab.student.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward"""


def build(functions: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook: intro, the cache picture, one cell per graded function with its check, and the training."""
    from . import ASSIGNMENT  # here, not at the top: the declaration is the grader's, the notebook only reads its points

    points = {exercise.id: exercise.points for exercise in ASSIGNMENT.exercises}
    cells = [new_markdown_cell(INTRO), new_code_cell(IMPORTS), new_markdown_cell(CACHES)]
    for function, exercise_id, text in SECTIONS:
        heading, *rest = text.split("\n", 1)
        cells.append(new_markdown_cell("\n".join([f"{heading} [{points[exercise_id]:g} points]", *rest])))
        cells.append(new_code_cell(functions[function]))
        cells.append(new_code_cell(f"!python tests/test_deep_network.py --test_case {exercise_id}"))
    cells += [new_markdown_cell(TRAINING), new_code_cell(TRAIN_CODE)]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook
