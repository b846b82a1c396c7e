"""Experiments people look at. Each study module exposes ``add_arguments(parser)`` and ``run(args) -> int``.

The CLI imports a study only when it is asked for, so ``gradelab check`` stays fast.
"""

STUDIES = {
    "init": ("gradelab.studies.init_study", "zeros, large random and He initialization trained live on the circles data"),
    "symmetry": ("gradelab.studies.symmetry_study", "zero vs random initialization of a Sequential model: do the rows stay equal?"),
    "cnn": ("gradelab.studies.cnn_study", "a small CNN trained with the reference convolution on the 8x8 digits"),
}
