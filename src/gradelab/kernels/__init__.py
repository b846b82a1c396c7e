"""gradelab.kernels: fast paths checked against the reference in :mod:`gradelab.nn`; a student never needs to read them.

* :mod:`gradelab.kernels.fused`: the initialization study's training, several
  runs of L_layer_model fused into one Numba kernel; every result is checked
  at run time against the reference ``L_layer_model`` before it is returned.
* :mod:`gradelab.kernels.conv`: convolution and pooling without loops over
  positions, the same signatures and numbers as :mod:`gradelab.nn.conv`
  (tests/test_conv.py runs both on the same inputs).

Nothing is imported here, so ``import gradelab.kernels`` does not load Numba.
"""
