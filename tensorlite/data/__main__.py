"""`python -m tensorlite.data cifar10 [--root DIR] [--no-download]`: fetch and decode a dataset
into its cache (see tensorlite.data.datasets)."""
from .datasets import _main

raise SystemExit(_main())
