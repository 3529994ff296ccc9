"""SyncBatchNorm on N ranks == BatchNorm on the global batch, values and gradients (run under mpiexec)."""
import numpy as np

import deepglass as dg
import deepglass.distributed as dist
from deepglass import nn
from deepglass.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
R, N = dist.get_rank(), dist.get_world_size()
B = 3


def summed(t):
    s = dg.tensor(t._array.copy())
    dist.all_reduce(s)
    return s._array


for dtype, tol in (("float64", 1e-12), ("float32", 2e-5)):
    for shape in ((N * B, 4, 5, 3), (N * B, 4)):
        rng = np.random.default_rng(0)
        sync, ref = nn.SyncBatchNorm(4, dtype=getattr(dg, dtype)), nn.BatchNorm2d(4, dtype=getattr(dg, dtype))
        if len(shape) == 2:
            ref = nn.BatchNorm1d(4, dtype=getattr(dg, dtype))
        gamma = rng.standard_normal(4).astype(dtype) + 1
        for bn in (sync, ref):
            bn.weight.data.copy_(dg.tensor(gamma))
        for step in range(2):
            x_all = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
            w_all = rng.standard_normal(shape).astype(dtype)
            x = dg.tensor(x_all[R * B:(R + 1) * B], requires_grad=True)
            (sync(x) * dg.tensor(w_all[R * B:(R + 1) * B])).sum().backward()
            x_ref = dg.tensor(x_all, requires_grad=True)
            y_ref = ref(x_ref)
            (y_ref * dg.tensor(w_all)).sum().backward()
            y = sync.train()(dg.tensor(x_all[R * B:(R + 1) * B]))  # a third forward: values only
            ref_again = ref(dg.tensor(x_all))
            what = f"{dtype} {shape} step {step}"
            np.testing.assert_allclose(y._array, ref_again._array[R * B:(R + 1) * B], rtol=tol, atol=tol,
                                       err_msg=f"output {what}")
            np.testing.assert_allclose(x.grad._array, x_ref.grad._array[R * B:(R + 1) * B], rtol=tol, atol=tol,
                                       err_msg=f"input gradient {what}")
            for name in ("weight", "bias"):
                np.testing.assert_allclose(summed(getattr(sync, name).grad), getattr(ref, name).grad._array,
                                           rtol=tol, atol=tol * 10, err_msg=f"{name} gradient {what}")
            for name in ("running_mean", "running_var"):
                np.testing.assert_allclose(getattr(sync, name)._array, getattr(ref, name)._array, rtol=tol, atol=tol,
                                           err_msg=f"{name} {what}")
            assert int(sync.num_batches_tracked._array) == int(ref.num_batches_tracked._array)
        sync.eval(), ref.eval()
        xe = dg.tensor(x_all[:B])
        np.testing.assert_allclose(sync(xe)._array, ref(xe)._array, rtol=tol, atol=tol, err_msg="eval mode")


# a converted model under DDP trains like one process with BatchNorm on the global batch
def net():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


dg.manual_seed(0)
ref = net()
dg.manual_seed(0)
model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(net()))
assert isinstance(model.module[1], nn.SyncBatchNorm) and model.module[1].weight is not None
opt, ref_opt = dg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), dg.optim.SGD(ref.parameters(), lr=0.1,
                                                                                      momentum=0.9)
rng = np.random.default_rng(1)
for step in range(3):
    x = dg.tensor(rng.standard_normal((N * B, 3, 6, 6)).astype(np.float32))
    y = dg.tensor(rng.integers(0, 3, N * B))
    opt.zero_grad(), ref_opt.zero_grad()
    nn.functional.cross_entropy(model(x[R * B:(R + 1) * B]), y[R * B:(R + 1) * B]).backward()
    nn.functional.cross_entropy(ref(x), y).backward()
    opt.step(), ref_opt.step()
    for (name, p), q in zip(model.module.state_dict().items(), ref.state_dict().values()):
        np.testing.assert_allclose(p._array, q._array, rtol=2e-5, atol=2e-6, err_msg=f"{name} step {step}")
print(f"rank {R}/{N}: sync_batchnorm OK", flush=True)
