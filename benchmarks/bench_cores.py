"""The speed benchmarks' thread limit: ``CORES``, set in the environment on import.

Import this module before numpy, OpenCV or scalpmap: it sets ``OMP_NUM_THREADS`` (and the
BLAS equivalents) before their thread pools start, and the analysing processes the
benchmarks start inherit them.
"""

from __future__ import annotations

import os

# Limit the thread pools to 2 cores before numpy and OpenCV start them (CORES below).
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"
CORES = int(os.environ["OMP_NUM_THREADS"])
