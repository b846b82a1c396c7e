# Object arrays: every entry could be anything.
import numpy as np


def preprocess(train_X, train_Y, test_X, test_Y):
    return tuple(np.asarray(a).T.astype(object) for a in (train_X, train_Y, test_X, test_Y))
