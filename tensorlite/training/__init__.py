"""The pieces of the training command `python -m tensorlite.train` (tensorlite/train.py):

  config      its flags, the rules between them, and the Plan of a run (new, resumed, from weights)
  schedule    the optimizer and the per-step learning-rate schedule
  data        the training images as a tl.data dataset, augmented by tl.data's transforms, and the
              DataLoader of an epoch
  loop        the epoch / step loop, with pause, stop and early stopping
  checkpoint  what a run stores (last.safetensors, metrics.json, best and final weights) and how a
              run starts from it
  world       TrainingWorld: the same run in one process or under `mpirun -np N`
"""
