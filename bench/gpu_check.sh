#!/usr/bin/env bash
# The GPU checks in one go, for a lent GPU machine (the `device` tool) or any CUDA box:
#   1. the op registry (every public op, values and gradients vs PyTorch) with --device cuda
#   2. the gpu-marked tests
#   3. the benchmark workloads against PyTorch CUDA
# The device machine has CuPy, cuDNN, PyTorch with CUDA, pytest and hypothesis but no
# package index: run from the working tree with PYTHONPATH=src.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=src
OUT=${OUT:-bench/results}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
python -c "import cupy, deepglass; print('cupy', cupy.__version__, 'cuda available:', deepglass.cuda.is_available())" 2>&1 | tee -a "$OUT/gpu.txt"
timeout ${REGISTRY_TIMEOUT:-240} python -m pytest -q -p no:cacheprovider --device cuda --maxfail=40 \
    tests/test_op_registry.py -k "matches_torch" > "$OUT/gpu_registry.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed" "$OUT/gpu_registry.txt" | tail -45
timeout 90 python -m pytest -q -p no:cacheprovider -m gpu tests > "$OUT/gpu_marked.txt" 2>&1
tail -3 "$OUT/gpu_marked.txt"
timeout ${BENCH_TIMEOUT:-200} python bench/run.py --quick --device cuda --no-memory --out "$OUT" \
    --only ${BENCH_ONLY:-mlp cifar_cnn resnet18 transformer} 2>&1 | tail -12
