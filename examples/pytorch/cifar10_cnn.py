"""The notes' CIFAR-10 network, trained the usual PyTorch way (synthetic images unless --data-root is given)."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.model(x)


def synthetic(n):
    x = torch.sin(torch.arange(n * 3 * 32 * 32, dtype=torch.float32) * 0.013).reshape(n, 3, 32, 32)
    y = torch.arange(n) * 7 % 10
    return TensorDataset(x, y)


def main():
    parser = argparse.ArgumentParser(description="CIFAR-10 CNN")
    parser.add_argument("--data-root", default=None, help="folder with cifar-10-batches-py (default: synthetic)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--init", default=None, help="load these initial weights (a state dict)")
    parser.add_argument("--save-init", default=None, help="save the initial weights here")
    parser.add_argument("--save", default=None, help="save the trained weights here")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    if args.data_root:
        import torchvision
        import torchvision.transforms as T
        tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
        train_set = torchvision.datasets.CIFAR10(args.data_root, train=True, transform=tf)
        test_set = torchvision.datasets.CIFAR10(args.data_root, train=False, transform=tf)
    else:
        train_set, test_set = synthetic(64), synthetic(32)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.batch_size, shuffle=False)

    model = Net().to(device)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    model.eval()
    with torch.no_grad():
        x, y = next(iter(test_loader))
        print(f"initial loss: {loss_fn(model(x.to(device)), y.to(device)).item():.6f}")

    for epoch in range(args.epochs):
        model.train()
        for step, (x, y) in enumerate(train_loader):
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.6f}")
        model.eval()
        correct, total = 0, 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x.to(device)).argmax(1) == y.to(device)).sum().item()
                total += y.size(0)
        print(f"epoch {epoch} test accuracy {correct / total:.4f}")
    if args.save:
        torch.save(model.state_dict(), args.save)


if __name__ == "__main__":
    main()
