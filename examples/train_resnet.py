"""Train a CIFAR ResNet (He et al. 2015) with the recipe from the project's results table.

    python examples/train_resnet.py                 # ResNet-20, 60 epochs, stops/resumes safely

This is the training command with the ResNet recipe filled in: SGD with Nesterov momentum,
lr 0.1, weight decay 5e-4, 5% linear warm-up then cosine, label smoothing 0.1, crop+flip, batch 128.
Ctrl-C saves a checkpoint; run it again with --resume runs/resnet20/last.safetensors to continue.
"""
import sys

from tensorlite.train import main

RECIPE = ["--model", "resnet20", "--epochs", "60", "--lr", "0.1", "--weight-decay", "5e-4",
          "--warmup-epochs", "3", "--label-smoothing", "0.1", "--schedule", "cosine"]

if __name__ == "__main__":
    sys.exit(main(RECIPE + sys.argv[1:]))
