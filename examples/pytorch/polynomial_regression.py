"""Fit a polynomial with one Linear layer, updating p.data by hand (PyTorch's regression example)."""
import argparse

import torch
import torch.nn.functional as F

POLY_DEGREE = 4
W_target = torch.tensor([[0.5], [-1.2], [0.8], [0.3]])
b_target = torch.tensor([0.7])


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    result = "y = "
    for i, w in enumerate(W):
        result += f"{w:+.2f} x^{i + 1} "
    return result + f"{b[0]:+.2f}"


def get_batch(step, batch_size=32):
    x = torch.sin(torch.arange(batch_size, dtype=torch.float32) * 0.7 + step)
    x = make_features(x)
    return x, f(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", default=None)
    parser.add_argument("--save-init", default=None)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    fc = torch.nn.Linear(W_target.size(0), 1)
    if args.init:
        fc.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(fc.state_dict(), args.save_init)

    with torch.no_grad():
        x, y = get_batch(0)
        print(f"initial loss: {F.smooth_l1_loss(fc(x), y).item():.6f}")
    for batch_idx in range(1, args.steps + 1):
        batch_x, batch_y = get_batch(batch_idx)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-args.lr * param.grad)
        if batch_idx % 10 == 0:
            print(f"step {batch_idx} loss {loss:.6f}")
    print(f"Loss: {loss:.6f} after {batch_idx} batches")
    print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
    print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))


if __name__ == "__main__":
    main()
