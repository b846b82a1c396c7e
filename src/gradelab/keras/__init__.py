"""gradelab.keras: a small Keras-style API over NumPy, bridged to the course's notation.

    from gradelab.keras import Sequential, Input, Dense, set_seed
    set_seed(1234)
    model = Sequential([Input(shape=(2,)), Dense(3, activation="sigmoid", name="layer1"),
                        Dense(1, activation="sigmoid", name="layer2")])
    W1, b1 = model.get_layer("layer1").get_weights()    # (2, 3), (3,): Keras' layout
    model.to_course_parameters()["W1"]                   # (3, 2): the course's W[1] = W1.T

Data are rows (X: (m, n_x)) as in Keras; the course's columns are the transpose.
See docs/KERAS.md.
"""

from . import initializers, losses, optimizers
from .backend import clear_session, get_seed, set_seed
from .bridge import course_forward
from .callbacks import Callback, History, LambdaCallback
from .layers import Dense, Input
from .losses import BinaryCrossentropy, MeanSquaredError, SparseCategoricalCrossentropy
from .models import Sequential
from .optimizers import SGD, Adam

__all__ = [
    "Adam",
    "BinaryCrossentropy",
    "Callback",
    "Dense",
    "History",
    "Input",
    "LambdaCallback",
    "MeanSquaredError",
    "SGD",
    "Sequential",
    "SparseCategoricalCrossentropy",
    "clear_session",
    "course_forward",
    "get_seed",
    "initializers",
    "losses",
    "optimizers",
    "set_seed",
]
