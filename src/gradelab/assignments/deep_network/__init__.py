"""The deep network assignment: an L-layer network forward and backward, and two models trained on digits.

Exercises follow the course's "Building your Deep Neural Network: Step by Step"
and its application. Fairness, as the engine and this declaration enforce it:

* backward inputs come from a real forward pass (fixtures.py), so the shortcut
  dZ[L] = AL - Y agrees with the general formula, as it does in real training;
* backward exercises are also checked by finite differences of a cost;
* functions that call other graded functions get the reference's answers
  (``calls``), so one mistake costs one exercise;
* the models are judged by held-out accuracy and falling costs, not by the
  reference's exact numbers (``compare_output=False``), and their costs must be
  recorded every 100 iterations, as the docstring says (``costs_interval``);
* update_parameters must leave the caller's dict as it was, as the template's
  copy.deepcopy line promises (``inputs_kept``).

Seeds: the course's ``initialize_parameters`` and ``initialize_parameters_deep``
take no seed and seed NumPy themselves (np.random.seed(1) and (3)). The solution
keeps that seeding line outside the student's block, so the numbers match ours.
The worker seeds NumPy with 1 before every call, which would hide a deleted
seeding line: ``seed_use`` calls the function twice in a row. A student who draws
from another generator is still accepted when the weights are right in
distribution on large layers.
"""

from __future__ import annotations

import types

from ... import nn
from ...grading.judges import CostsInterval, InputsKept, SeedUse, Values
from ...grading.spec import Assignment, Case, Exercise, Mistake
from . import alternatives as alt
from . import fixtures as fx
from . import judges, mistakes

HELPERS = "gradelab.student.dnn_utils"
#: The course's names for its helper modules (grading/guard.py's COURSE_ALIASES), so a course notebook's imports work.
#: HELPERS comes last: a helper function handed to a graded function crosses by its gradelab name.
COURSE_MODULES = ("dnn_utils", "dnn_app_utils_v3", "testCases", "testCases_v4a", "public_tests")


def _bound_mistakes(listed: list[tuple], calls: tuple[str, ...]) -> list[Mistake]:
    """Mistakes whose calls to other graded functions (free names in mistakes.py) reach the reference in the grader.

    In a submission these names are the student's (the engine answers them with the reference); here the module's
    functions are rebuilt with the references in their globals, so the grader can recompute a mistake's output.
    """
    namespace = dict(vars(mistakes))
    namespace.update({name: REFERENCES[name] for name in calls})
    rebound = {}
    for name, value in vars(mistakes).items():
        if isinstance(value, types.FunctionType) and value.__module__ == mistakes.__name__:
            rebound[name] = types.FunctionType(value.__code__, namespace, name, value.__defaults__, value.__closure__)
    namespace.update(rebound)
    return [Mistake(label, hint, rebound[function.__name__] if calls else function) for label, hint, function in listed]


REFERENCES = {
    "initialize_parameters": fx.initialize_parameters, "initialize_parameters_deep": fx.initialize_parameters_deep,
    "linear_forward": nn.linear_forward, "linear_activation_forward": nn.linear_activation_forward,
    "L_model_forward": nn.L_model_forward, "compute_cost": nn.compute_cost, "linear_backward": nn.linear_backward,
    "linear_activation_backward": nn.linear_activation_backward, "L_model_backward": nn.L_model_backward,
    "update_parameters": nn.update_parameters, "two_layer_model": fx.two_layer_model, "L_layer_model": fx.L_layer_model,
}
FORWARD = ("linear_activation_forward", "linear_forward")
BACKWARD = ("linear_activation_backward", "linear_backward")
EVERYTHING = ("initialize_parameters", "initialize_parameters_deep", *FORWARD, "L_model_forward", "compute_cost", *BACKWARD,
              "L_model_backward", "update_parameters")


def _exercise(id: str, function: str, points: float, cases: list[Case], listed: list[tuple],
              alternatives: list, calls: tuple[str, ...] = (), **options: object) -> Exercise:
    return Exercise(id=id, function=function, points=points, reference=REFERENCES[function],
                    cases=cases, calls=calls, mistakes=_bound_mistakes(listed, calls), alternatives=alternatives, **options)


def _hidden(name: str, make: object, seed: int, varies: str) -> Case:
    return Case(name, make, seed=seed, hidden=True, varies=varies)


TWO_LAYER_TASKS = [fx.DigitsTask(3, 8, 0, 200), fx.DigitsTask(4, 9, 1, 200), fx.DigitsTask(1, 7, 2, 150)]
DEEP_TASKS = [fx.DigitsTask(3, 8, 0, 200), fx.DigitsTask(5, 6, 3, 200), fx.DigitsTask(1, 7, 2, 150)]
# At most 7 graded calls per iteration stay under the sandbox's 1000 stand-in calls per call.
MODEL_RUNS = {"two_layer_model": ([64, 8, 1], 0.3, 130), "L_layer_model": ([64, 20, 1], 0.5, 130)}


def _model_cases(function: str, tasks: list[fx.DigitsTask]) -> list[Case]:
    dims, rate, iterations = MODEL_RUNS[function]
    first, *others = tasks
    cases = [Case(f"digit {first.negative} vs {first.positive}", fx.model_inputs(first, dims, rate, iterations),
                  data={"task": first})]
    for task in others:
        cases.append(Case(f"digit {task.negative} vs {task.positive}", fx.model_inputs(task, dims, rate, iterations), hidden=True,
                          varies="other digits and another split", data={"task": task}))
    return cases


def _dims_case(name: str, args: list, hidden: bool = False, varies: str = "") -> Case:
    return Case(name, lambda rng: (list(args), {}), hidden=hidden, varies=varies)


# Many trained parameters are right: values only recognize known mistakes; what training reached is judged.
MODEL_JUDGES = [Values(rtol=1e-4, atol=1e-7, judged=False), judges.TrainedModel(), CostsInterval(every=100)]

EXERCISES = [
    _exercise("TestInitializeParameters", "initialize_parameters", 6,
              [_dims_case("public", [3, 2, 1]), _dims_case("wider", [12, 7, 3], True, "other layer sizes"),
               _dims_case("one unit", [1, 1, 1], True, "other layer sizes")],
              mistakes.INITIALIZE_PARAMETERS, [alt.init2_random_state, alt.init2_normal, alt.init2_default_rng],
              name_path=judges.dict_namer("parameters"), uses_randomness=True,
              judges=[Values(), SeedUse(fixed_seed=1), judges.initializer_check([400, 300, 200], [400, 300, 200], 0.01)]),
    _exercise("TestInitializeParametersDeep", "initialize_parameters_deep", 8,
              [_dims_case("public", [[5, 4, 3]]), _dims_case("deeper", [[6, 5, 4, 3, 2, 1]]),
               _dims_case("wider", [[20, 12, 1]], True, "wider layers")],
              mistakes.INITIALIZE_PARAMETERS_DEEP, [alt.deep_comprehension, alt.deep_random_state, alt.deep_default_rng],
              name_path=judges.dict_namer("parameters"), uses_randomness=True,
              judges=[Values(), SeedUse(fixed_seed=3),
                      judges.initializer_check([[300, 250, 200, 150]], [300, 250, 200, 150], 0.01)]),
    _exercise("TestLinearForward", "linear_forward", 8,
              [Case("public", fx.sizes(1, 3, 2), seed=1), Case("wider", fx.sizes(6, 9, 4), seed=2),
               _hidden("one example", fx.sizes(3, 5, 1), 3, "other batch sizes")],
              mistakes.LINEAR_FORWARD, [alt.lf_matmul, alt.lf_einsum, alt.lf_explicit_broadcast],
              name_path=judges.linear_forward_namer),
    _exercise("TestLinearActivationForward", "linear_activation_forward", 8,
              [Case("sigmoid", fx.activation_inputs(1, 3, 2, "sigmoid"), seed=2),
               Case("relu", fx.activation_inputs(1, 3, 2, "relu"), seed=2),
               _hidden("wider relu", fx.activation_inputs(7, 5, 6, "relu"), 4, "wider layers and other batch sizes"),
               _hidden("wider sigmoid", fx.activation_inputs(4, 8, 1, "sigmoid"), 5, "wider layers and other batch sizes")],
              mistakes.LINEAR_ACTIVATION_FORWARD, [alt.laf_once, alt.laf_inline, alt.laf_without_linear_forward],
              calls=("linear_forward",), name_path=judges.forward_namer("A", "cache", "A_prev", "l")),
    _exercise("TestLModelForward", "L_model_forward", 10,
              [Case("public", fx.model_forward_inputs([5, 4, 3, 1], 4), seed=6),
               _hidden("deeper", fx.model_forward_inputs([6, 5, 5, 4, 3, 1], 3), 7, "deeper networks"),
               _hidden("two layers, one example", fx.model_forward_inputs([8, 10, 1], 1), 8, "other batch sizes")],
              mistakes.L_MODEL_FORWARD, [alt.lmf_one_loop, alt.lmf_tuple_caches_list, alt.lmf_inline_layers],
              calls=FORWARD, name_path=judges.model_forward_namer),
    _exercise("TestComputeCost", "compute_cost", 6,
              [Case("public", fx.cost_inputs(3), seed=9), Case("more examples", fx.cost_inputs(50), seed=10),
               _hidden("one example", fx.cost_inputs(1), 11, "other batch sizes")],
              mistakes.COMPUTE_COST, [alt.cost_dot, alt.cost_mean, alt.cost_loop], output_name="cost"),
    _exercise("TestLinearBackward", "linear_backward", 10,
              [Case("public", fx.linear_backward_inputs([4, 3, 2], 2), seed=12),
               _hidden("wider", fx.linear_backward_inputs([6, 8, 5], 4), 13, "wider layers"),
               _hidden("one example", fx.linear_backward_inputs([3, 4, 2], 1), 14, "other batch sizes")],
              mistakes.LINEAR_BACKWARD, [alt.lb_matmul, alt.lb_reshape, alt.lb_einsum],
              name_path=judges.backward_namer(("dA_prev", "dW", "db")), judges=[Values(), judges.gradients_of("linear_backward")]),
    _exercise("TestLinearActivationBackward", "linear_activation_backward", 10,
              [Case("sigmoid", fx.activation_backward_inputs([3, 2, 1], 2, "sigmoid"), seed=15),
               Case("relu", fx.activation_backward_inputs([3, 2, 1], 2, "relu"), seed=15),
               _hidden("wider relu", fx.activation_backward_inputs([5, 8, 1], 6, "relu"), 16, "wider layers"),
               _hidden("sigmoid, one example", fx.activation_backward_inputs([4, 3, 1], 1, "sigmoid"), 17,
                       "other batch sizes")],
              mistakes.LINEAR_ACTIVATION_BACKWARD, [alt.lab_inline, alt.lab_table, alt.lab_where], calls=("linear_backward",),
              name_path=judges.backward_namer(("dA_prev", "dW", "db")),
              judges=[Values(), judges.gradients_of("linear_activation_backward")]),
    _exercise("TestLModelBackward", "L_model_backward", 10,
              [Case("public", fx.model_backward_inputs([4, 3, 1], 2), seed=18),
               Case("deeper", fx.model_backward_inputs([5, 4, 4, 3, 1], 3), seed=19),
               _hidden("wider", fx.model_backward_inputs([10, 8, 1], 6), 20, "wider layers and other batch sizes"),
               _hidden("one example", fx.model_backward_inputs([3, 3, 2, 1], 1), 21, "other batch sizes")],
              mistakes.L_MODEL_BACKWARD, [alt.lmb_shortcut, alt.lmb_gate_on_next_input, alt.lmb_one_loop], calls=BACKWARD,
              name_path=judges.dict_namer("grads"), judges=[Values(), judges.gradients_of("L_model_backward")]),
    _exercise("TestUpdateParameters", "update_parameters", 8,
              [Case("public", fx.update_inputs([4, 3, 1], 2, 0.1), seed=22),
               _hidden("deeper", fx.update_inputs([5, 4, 4, 3, 1], 3, 0.01), 23, "deeper networks and other learning rates")],
              mistakes.UPDATE_PARAMETERS, [alt.up_copy_then_in_place, alt.up_comprehension, alt.up_new_dict],
              name_path=judges.dict_namer("parameters"), judges=[Values(), InputsKept(("params",))]),
    _exercise("TestTwoLayerModel", "two_layer_model", 13,
              _model_cases("two_layer_model", TWO_LAYER_TASKS), mistakes.TWO_LAYER_MODEL,
              [alt.tlm_shortcut, alt.tlm_with_L_model, alt.tlm_own_init], calls=EVERYTHING, name_path=judges.model_namer,
              judges=MODEL_JUDGES, uses_randomness=True),
    _exercise("TestLLayerModel", "L_layer_model", 13,
              _model_cases("L_layer_model", DEEP_TASKS), mistakes.L_LAYER_MODEL,
              [alt.llm_shortcut, alt.llm_costs_after_update, alt.llm_while], calls=EVERYTHING, name_path=judges.model_namer,
              judges=MODEL_JUDGES, uses_randomness=True),
]

ASSIGNMENT = Assignment(
    name="deep_network",
    title="Building a deep neural network, step by step",
    exercises=EXERCISES,
    student_modules=(*COURSE_MODULES, HELPERS),
    preload=["numpy", "matplotlib.pyplot"],  # what its notebook imports (the cost curve): loaded once, not per worker
    description="Initialize, propagate forward and backward through an L-layer network, update, and train two models "
                "on 8x8 digits.",
)
