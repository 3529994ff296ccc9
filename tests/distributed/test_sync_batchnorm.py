"""SyncBatchNorm equals BatchNorm over the global batch (workers/sync_batchnorm.py)."""
import numpy as np
import pytest
from _dist_launch import run

import deepglass as dg
from deepglass import nn

pytestmark = pytest.mark.dist


def test_sync_batchnorm_matches_batchnorm_on_the_global_batch():
    # float64 and float32, (N, C, H, W) and (N, C): outputs, input/weight/bias gradients, running statistics;
    # a converted model under DDP trains like one process with BatchNorm on the global batch
    out = run(2, "sync_batchnorm.py", timeout=60).stdout
    assert out.count("sync_batchnorm OK") == 2, out


def test_single_process_sync_batchnorm_is_batchnorm():
    x = dg.randn(6, 3, 4, 4)
    sync, ref = nn.SyncBatchNorm(3), nn.BatchNorm2d(3)
    np.testing.assert_array_equal(sync(x)._array, ref(x)._array)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        sync(dg.randn(3))


def test_convert_sync_batchnorm_shares_parameters_and_buffers():
    m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sequential(nn.BatchNorm2d(4), nn.ReLU()), nn.BatchNorm1d(2))
    m.eval()
    bn, keys = m[1][0], list(m.state_dict())
    c = nn.SyncBatchNorm.convert_sync_batchnorm(m)
    assert type(c[1][0]) is nn.SyncBatchNorm and type(c[2]) is nn.SyncBatchNorm
    assert c[1][0].weight is bn.weight and c[1][0].running_var is bn.running_var and not c[1][0].training
    assert list(c.state_dict()) == keys  # checkpoints load either way
