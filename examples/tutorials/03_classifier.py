"""Tutorial 3: a small classifier — nn.Module, DataLoader, CrossEntropyLoss and SGD with momentum.

The data are three interleaved spirals computed from a formula; `torch.manual_seed(0)` fixes the
random initial weights and the shuffling of the batches, so every number printed here is the same
on every run (and the same on real PyTorch as under `python -m ember.run`).
"""
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def spirals(points_per_class=80, classes=3):
    """Points on `classes` spiral arms in the plane; the label is the arm."""
    xs, ys = [], []
    for k in range(classes):
        r = torch.linspace(0.1, 1.0, points_per_class)
        theta = torch.linspace(0.0, 3.0, points_per_class) + k * 2 * math.pi / classes
        xs.append(torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1))
        ys.append(torch.full((points_per_class,), k, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


torch.manual_seed(0)
X, Y = spirals()
order = torch.arange(len(X)) * 7 % len(X)       # a fixed interleaving of the three classes
X, Y = X[order], Y[order]
print(X.shape, Y.shape, X.dtype, Y.dtype, Y.bincount())
dataset = TensorDataset(X, Y)
print(len(dataset), dataset[0])
loader = DataLoader(dataset, batch_size=32, shuffle=True)
print(len(loader))

model = MLP(2, 64, 3)
print(model)
print(sum(p.numel() for p in model.parameters()), [n for n, _ in model.named_parameters()])

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
print(optimizer)


def accuracy():
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == Y).float().mean().item()


print(f'before training: loss {criterion(model(X), Y).item():.4f}  accuracy {accuracy():.3f}')
for epoch in range(1, 31):
    model.train()
    total = 0.0
    for inputs, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
    if epoch % 5 == 0:
        print(f'epoch {epoch}  mean loss {total / len(dataset):.4f}  accuracy {accuracy():.3f}')

# the functional form gives the same loss as the module
logits = model(X[:4])
print(torch.allclose(F.cross_entropy(logits, Y[:4]), criterion(logits, Y[:4])))
print(logits.shape, logits.grad_fn.name(), F.softmax(logits, dim=1).sum(dim=1).shape)

# shuffling reorders the samples each epoch: the first labels of two epochs
shuffled = DataLoader(dataset, batch_size=100, shuffle=True)
print([tuple(xb.shape) for xb, _ in shuffled], [yb[:8].tolist() for _, yb in shuffled])


# a dynamic network: ordinary Python control flow decides the graph on every call,
# and one Linear layer is reused several times (its weights are shared)
class DynamicNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.middle_linear = nn.Linear(hidden, hidden)
        self.output_linear = nn.Linear(hidden, d_out)

    def forward(self, x):
        h = self.input_linear(x).clamp(min=0)
        for _ in range(random.randint(0, 3)):
            h = self.middle_linear(h).clamp(min=0)
        return self.output_linear(h)


random.seed(0)
dyn = DynamicNet(2, 8, 3)
opt = torch.optim.SGD(dyn.parameters(), lr=0.05, momentum=0.9)
for step in range(4):
    loss = criterion(dyn(X), Y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f'dynamic step {step}  loss {loss.item():.4f}')
