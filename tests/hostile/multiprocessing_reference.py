# Starts a fresh interpreter with multiprocessing's spawn, which imports the reference outside the worker's guard.
import multiprocessing


def _reference(layers_dims, seed, queue):
    from gradelab.nn import initialize_parameters_he as reference

    queue.put(reference(layers_dims, seed))


def initialize_parameters_he(layers_dims, seed=3):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_reference, args=(layers_dims, seed, queue))
    child.start()
    child.join(0.8)
    if queue.empty():
        raise RuntimeError("the spawned interpreter could not import the reference")
    return queue.get()
