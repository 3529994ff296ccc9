"""An ordinary PyTorch DDP script (gloo on CPU), run unchanged on deepglass by ``deepglass run`` under mpiexec."""
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
torch.manual_seed(rank)  # different initial weights: DDP copies rank 0's
model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
torch.manual_seed(100 + rank)  # each rank its own data
for _ in range(3):
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    opt.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
flat = torch.cat([p.detach().flatten() for p in model.parameters()])
everyone = [torch.zeros_like(flat) for _ in range(world)]
dist.all_gather(everyone, flat)
assert all(torch.equal(everyone[0], t) for t in everyone), "replicas differ"
print(f"rank {rank}: torch script OK", flush=True)
dist.destroy_process_group()
