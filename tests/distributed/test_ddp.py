"""DistributedDataParallel: N ranks with batch B each == one process with batch N·B (workers/ddp.py)."""
import pytest
from _dist_launch import run

pytestmark = pytest.mark.dist


@pytest.mark.parametrize("n", [2, 3])
def test_ddp_matches_one_process_on_the_global_batch(n):
    # cifar_net and a Transformer, SGD with momentum and Adam, bucketed all-reduce started during backward,
    # bit-identical parameters across ranks after every step, no_sync, shared parameters, unused parameters
    out = run(n, "ddp.py", timeout=120).stdout
    assert out.count("ddp OK") == n, out
