#!/usr/bin/env bash
# The GPU checks in one go, for a lent GPU machine (the `device` tool) or any CUDA box:
#   1. the gpu-marked tests and the op registry with --device cuda
#   2. the benchmark suite against PyTorch CUDA
# The device machine has CuPy, cuDNN, PyTorch with CUDA, pytest and hypothesis but no
# package index: run from the working tree with PYTHONPATH=src.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src
OUT=${OUT:-bench/results}
mkdir -p "$OUT"
python -c "import cupy, deepglass; print('cupy', cupy.__version__, 'cuda available:', deepglass.cuda.is_available())"
timeout 300 python -m pytest -q -p no:cacheprovider --device cuda -x tests/test_op_registry.py -k "matches_torch" 2>&1 | tail -20 | tee "$OUT/gpu_registry.txt"
timeout 120 python -m pytest -q -p no:cacheprovider -m gpu tests 2>&1 | tail -20 | tee "$OUT/gpu_marked.txt"
timeout 240 python bench/run.py --quick --device cuda --no-memory --out "$OUT" 2>&1 | tail -30
