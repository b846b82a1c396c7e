"""gradelab.nn: the reference core, in the course's notation and names."""

from .activations import (
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from .datasets import generate_dataset, preprocess
from .gradcheck import gradient_check, numerical_gradient, numerical_gradients, relative_error
from .initializers import (
    initialize_parameters,
    initialize_parameters_deep,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
)
from .layers import (
    L_model_backward,
    L_model_forward,
    backward_from_output,
    compute_cost,
    compute_cost_from_logits,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    predict,
    update_parameters,
)
from .train import L_layer_model, accuracy

__all__ = [
    "accuracy",
    "backward_from_output",
    "compute_cost",
    "compute_cost_from_logits",
    "generate_dataset",
    "gradient_check",
    "initialize_parameters",
    "initialize_parameters_deep",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_xavier",
    "initialize_parameters_zeros",
    "L_layer_model",
    "L_model_backward",
    "L_model_forward",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "numerical_gradient",
    "numerical_gradients",
    "predict",
    "preprocess",
    "relative_error",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_backward",
    "update_parameters",
]
