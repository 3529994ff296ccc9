"""Sub-pixel super-resolution (PyTorch's super_resolution example): PixelShuffle and orthogonal_ init."""
import argparse
from math import log10

import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, upscale_factor, channels=32):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, channels, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(channels, channels, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(channels, channels // 2, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(channels // 2, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)


def main():
    parser = argparse.ArgumentParser(description="PyTorch Super Res Example")
    parser.add_argument("--upscale_factor", type=int, default=2)
    parser.add_argument("--batchSize", type=int, default=8)
    parser.add_argument("--nEpochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--init", default=None)
    parser.add_argument("--save-init", default=None)
    opt = parser.parse_args()
    torch.manual_seed(opt.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    r = opt.upscale_factor
    hr = (torch.sin(torch.arange(16 * 16 * 16, dtype=torch.float32) * 0.11).reshape(16, 1, 16, 16) + 1) / 2
    lr_img = torch.nn.functional.avg_pool2d(hr, r)
    loader = DataLoader(TensorDataset(lr_img, hr), batch_size=opt.batchSize, shuffle=True)

    model = Net(upscale_factor=r).to(device)
    if opt.init:
        model.load_state_dict(torch.load(opt.init))
    if opt.save_init:
        torch.save(model.state_dict(), opt.save_init)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=opt.lr)

    model.eval()
    with torch.no_grad():
        print(f"initial loss: {criterion(model(lr_img[:8].to(device)), hr[:8].to(device)).item():.6f}")
    for epoch in range(1, opt.nEpochs + 1):
        model.train()
        epoch_loss = 0
        for iteration, (inp, target) in enumerate(loader, 1):
            inp, target = inp.to(device), target.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inp), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            print(f"===> Epoch[{epoch}]({iteration}/{len(loader)}): Loss: {loss.item():.4f}")
        model.eval()
        with torch.no_grad():
            mse = criterion(model(lr_img.to(device)), hr.to(device))
        print(f"===> Epoch {epoch} Complete: Avg. Loss: {epoch_loss / len(loader):.4f} PSNR: {10 * log10(1 / mse.item()):.4f} dB")


if __name__ == "__main__":
    main()
