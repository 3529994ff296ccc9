"""A small Transformer-encoder sequence classifier on synthetic token sequences."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class TransformerClassifier(nn.Module):
    def __init__(self, vocab, d_model=32, nhead=4, num_layers=2, num_classes=3, max_len=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(1, max_len, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers)
        self.head = nn.Linear(d_model, num_classes)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos[:, : tokens.size(1)]
        return self.head(self.encoder(x).mean(dim=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", default=None)
    parser.add_argument("--save-init", default=None)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    n, seq, vocab = 32, 12, 20
    tokens = (torch.arange(n * seq).reshape(n, seq) * 7 + torch.arange(n).unsqueeze(1) * 3) % vocab
    labels = tokens.sum(dim=1) % 3
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=args.batch_size, shuffle=True)

    model = TransformerClassifier(vocab).to(device)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)

    model.eval()
    with torch.no_grad():
        print(f"initial loss: {criterion(model(tokens[:8].to(device)), labels[:8].to(device)).item():.6f}")
    for epoch in range(args.epochs):
        model.train()
        for step, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            loss = criterion(model(x.to(device)), y.to(device))
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        model.eval()
        with torch.no_grad():
            acc = (model(tokens.to(device)).argmax(1) == labels.to(device)).float().mean().item()
        print(f"epoch {epoch} accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
