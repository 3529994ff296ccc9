"""DistributedDataParallel: N ranks with batch B each == one process with batch N·B (workers/ddp.py)."""
import pytest
from _dist_launch import run

pytestmark = pytest.mark.dist


@pytest.mark.parametrize("n", [1, 2, 3])
def test_ddp_matches_one_process_on_the_global_batch(n):
    # cifar_net and a Transformer, SGD with momentum and Adam, bucketed all-reduce started during backward,
    # bit-identical parameters across ranks after every step, no_sync, shared parameters, unused parameters
    out = run(n, "ddp.py", timeout=120).stdout
    assert out.count("ddp OK") == n, out


def test_an_unchanged_pytorch_ddp_script_runs_under_deepglass_run():
    # init_process_group("gloo"), torch.nn.parallel.DistributedDataParallel, all_gather: replicas stay identical
    out = run(2, "torch_ddp_script.py", python_args=("-m", "deepglass.cli", "run"), timeout=60).stdout
    assert out.count("torch script OK") == 2, out
