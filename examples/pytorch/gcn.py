"""A two-layer graph convolutional network (Kipf & Welling) with a sparse normalised adjacency, on a synthetic graph."""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.FloatTensor(in_features, out_features))
        self.bias = nn.Parameter(torch.FloatTensor(out_features)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.weight.size(1))
        self.weight.data.uniform_(-stdv, stdv)
        if self.bias is not None:
            self.bias.data.uniform_(-stdv, stdv)

    def forward(self, input, adj):
        support = torch.mm(input, self.weight)
        output = torch.sparse.mm(adj, support)
        return output + self.bias if self.bias is not None else output


class GCN(nn.Module):
    def __init__(self, nfeat, nhid, nclass, dropout):
        super().__init__()
        self.gc1 = GraphConvolution(nfeat, nhid)
        self.gc2 = GraphConvolution(nhid, nclass)
        self.dropout = dropout

    def forward(self, x, adj):
        x = F.relu(self.gc1(x, adj))
        x = F.dropout(x, self.dropout, training=self.training)
        return F.log_softmax(self.gc2(x, adj), dim=1)


def normalize_adjacency(edges, n):
    """D^-1/2 (A + I) D^-1/2 as a sparse COO tensor (computed in NumPy, as pygcn does)."""
    a = np.zeros((n, n), dtype=np.float32)
    a[edges[:, 0], edges[:, 1]] = 1.0
    a = np.maximum(a, a.T) + np.eye(n, dtype=np.float32)
    d = 1.0 / np.sqrt(a.sum(1))
    a = a * d[:, None] * d[None, :]
    rows, cols = np.nonzero(a)
    indices = torch.from_numpy(np.vstack((rows, cols)).astype(np.int64))
    values = torch.from_numpy(a[rows, cols])
    return torch.sparse_coo_tensor(indices, values, torch.Size((n, n)))


def ring_graph(n, nfeat, nclass):
    """A ring with chords; features a formula of the node id; labels by position on the ring."""
    ring = np.stack([np.arange(n), (np.arange(n) + 1) % n], 1)
    chords = np.stack([np.arange(0, n, 3), (np.arange(0, n, 3) + n // 2) % n], 1)
    adj = normalize_adjacency(np.concatenate([ring, chords]), n)
    features = torch.sin(torch.arange(n * nfeat, dtype=torch.float32).reshape(n, nfeat) * 0.3)
    labels = torch.arange(n) * nclass // n
    return adj, features, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--weight_decay", type=float, default=5e-4)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--init", default=None)
    parser.add_argument("--save-init", default=None)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    adj, features, labels = ring_graph(40, 8, 4)
    idx_train, idx_val = torch.arange(0, 40, 2), torch.arange(1, 40, 2)
    model = GCN(nfeat=features.shape[1], nhid=args.hidden, nclass=int(labels.max()) + 1, dropout=args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    model.eval()
    with torch.no_grad():
        print(f"initial loss: {F.nll_loss(model(features, adj)[idx_train], labels[idx_train]).item():.6f}")
    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        output = model(features, adj)
        loss_train = F.nll_loss(output[idx_train], labels[idx_train])
        loss_train.backward()
        optimizer.step()
        model.eval()
        output = model(features, adj)
        loss_val = F.nll_loss(output[idx_val], labels[idx_val])
        acc_val = (output[idx_val].max(1)[1] == labels[idx_val]).double().mean()
        print(f"Epoch: {epoch + 1:04d} loss_train: {loss_train.item():.4f} "
              f"loss_val: {loss_val.item():.4f} acc_val: {acc_val.item():.4f}")


if __name__ == "__main__":
    main()
