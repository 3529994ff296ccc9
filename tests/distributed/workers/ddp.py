"""DistributedDataParallel on N ranks against one process on the global batch (run under mpiexec).

After every step: parameters bit-identical across ranks, and equal (to float32 round-off) to one
process training on the global batch of N·B samples in the same order.
"""
import sys

import numpy as np

import deepglass as dg
import deepglass.distributed as dist
from deepglass import nn
from deepglass.models import cifar_net
from deepglass.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
R, N = dist.get_rank(), dist.get_world_size()
B, STEPS = 3, 3


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(6, 16)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True), 2)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        return self.head(self.encoder(self.embed(x)).mean(1))


MODELS = {"cnn": (cifar_net, (3, 32, 32), 10), "transformer": (TinyTransformer, (5, 6), 4)}
# Adam's eps is 1e-6, not 1e-8: attention's key bias has a gradient that is zero in exact arithmetic but float32
# round-off noise (~1e-9) in practice, and Adam turns noise into steps of ±lr whose sign differs between the
# N-rank and the one-process sums; eps=1e-6 keeps those steps small, so the comparison stays at round-off.
OPTIMS = {"sgd": lambda p: dg.optim.SGD(p, lr=0.05, momentum=0.9),
          "adam": lambda p: dg.optim.Adam(p, lr=1e-3, eps=1e-6)}


def flat(module):
    return np.concatenate([p._array.ravel() for p in module.parameters()])


def flat_grad(module):
    return np.concatenate([p.grad._array.ravel() for p in module.parameters()])


def check_identical_across_ranks(module, what):
    mine = dg.tensor(flat(module))
    everyone = [dg.zeros_like(mine) for _ in range(N)]
    dist.all_gather(everyone, mine)
    for r in range(N):
        assert np.array_equal(everyone[r]._array, mine._array), f"{what}: rank {r}'s parameters differ from rank {R}'s"


def batches(shape, classes, steps, seed=7):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield (dg.tensor(rng.standard_normal((N * B, *shape)).astype(np.float32)),
               dg.tensor(rng.integers(0, classes, N * B)))


def compare(model_name, optim_name, bucket_cap_mb):
    make, shape, classes = MODELS[model_name]
    dg.manual_seed(0)
    ref = make()
    dg.manual_seed(1 + R)  # different on every rank: the wrapper must copy rank 0's (seed 0 is not used here)
    local = make()
    if R == 0:
        local.load_state_dict(ref.state_dict())
    model = DDP(local, bucket_cap_mb=bucket_cap_mb)
    if R != 0:
        ref.load_state_dict(model.module.state_dict())  # rank 0's weights arrived by broadcast
    assert np.array_equal(flat(ref), flat(model.module)), "broadcast at construction"
    check_identical_across_ranks(model.module, "after construction")
    opt, ref_opt = OPTIMS[optim_name](model.parameters()), OPTIMS[optim_name](ref.parameters())
    loss_fn = nn.CrossEntropyLoss()
    overlapped = 0
    for step, (x, y) in enumerate(batches(shape, classes, STEPS)):
        opt.zero_grad()
        loss_fn(model(x[R * B:(R + 1) * B]), y[R * B:(R + 1) * B]).backward()
        overlapped = max(overlapped, model._iteration.launched_before_last)
        ref_opt.zero_grad()
        loss_fn(ref(x), y).backward()
        g, g_ref = flat_grad(model.module), flat_grad(ref)
        np.testing.assert_allclose(g, g_ref, rtol=1e-4, atol=1e-6 * np.abs(g_ref).max(),
                                   err_msg=f"{model_name}/{optim_name} step {step}: averaged gradients")
        opt.step()
        ref_opt.step()
        check_identical_across_ranks(model.module, f"{model_name}/{optim_name} step {step}")
        # Adam: a parameter whose gradient is round-off noise moves by up to ~lr·noise/eps per step
        np.testing.assert_allclose(flat(model.module), flat(ref), rtol=2e-5, atol=2e-6 if optim_name == "sgd" else 1e-5,
                                   err_msg=f"{model_name}/{optim_name} step {step}: N ranks vs one process")
    return model, overlapped


for model_name in ("cnn", "transformer"):
    for optim_name in ("sgd", "adam"):
        model, overlapped = compare(model_name, optim_name, bucket_cap_mb=0.05 if model_name == "cnn" else 0.004)
        assert len(model._buckets) > 2 and overlapped >= 1, (model_name, optim_name, len(model._buckets), overlapped)
model, _ = compare("transformer", "sgd", bucket_cap_mb=None)  # default buckets
assert list(model.state_dict())[0].startswith("module."), list(model.state_dict())[:2]

# no_sync: two local accumulations, then one synchronised backward == the sum of the three global losses
dg.manual_seed(0)
ref = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
dg.manual_seed(0)
model = DDP(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)), bucket_cap_mb=0.0001)
rng = np.random.default_rng(3)
xs = [dg.tensor(rng.standard_normal((N * B, 4)).astype(np.float32)) for _ in range(3)]
with model.no_sync():
    for x in xs[:2]:
        model(x[R * B:(R + 1) * B]).square().mean().backward()
local_only = model.module[0].weight.grad._array.copy()
model(xs[2][R * B:(R + 1) * B]).square().mean().backward()
for x in xs:
    ref(x).square().mean().backward()
for p, q in zip(model.parameters(), ref.parameters()):
    np.testing.assert_allclose(p.grad._array, q.grad._array, rtol=1e-5, atol=1e-7, err_msg="no_sync accumulation")
if N > 1:
    assert not np.allclose(local_only, ref[0].weight.grad._array), "no_sync must not communicate"

# a parameter used twice in one forward (two gradient contributions) is reduced once, after both arrive
class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return self.lin(self.lin(x).tanh())


dg.manual_seed(0)
ref = Twice()
dg.manual_seed(0)
model = DDP(Twice())
for x in xs[:2]:
    model(x[R * B:(R + 1) * B]).square().mean().backward()
    ref(x).square().mean().backward()
    np.testing.assert_allclose(model.module.lin.weight.grad._array, ref.lin.weight.grad._array, rtol=1e-5, atol=1e-7,
                               err_msg="a parameter used twice")


# unused parameters: allowed with find_unused_parameters=True (their grad stays None) ...
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x):
        return self.a(x)


model = DDP(TwoHeads(), find_unused_parameters=True)
for _ in range(2):
    model(xs[0][R * B:(R + 1) * B]).sum().backward()
assert model.module.b.weight.grad is None and model.module.a.weight.grad is not None
# ... and without it the next forward says which parameter and what to do
model = DDP(TwoHeads())
model(xs[0][R * B:(R + 1) * B]).sum().backward()
try:
    model(xs[0])
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e) and "b.weight" in str(e), e
else:
    raise AssertionError("an unused parameter without find_unused_parameters must raise")
print(f"rank {R}/{N}: ddp OK", flush=True)
sys.exit(0)
