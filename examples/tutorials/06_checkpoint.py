"""Tutorial 6: saving and loading — tensors, state_dicts and full training checkpoints.

Save what you need to resume (model and optimizer state, epoch, loss), load it into freshly
built objects, and check the restored run continues exactly where the original left off.
"""
import os
import tempfile

import torch
import torch.nn as nn


def make_model():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    with torch.no_grad():                       # fixed weights: reproducible numbers below
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view_as(p) * (i + 1))
    return model


inputs = torch.linspace(-2, 2, 40).view(10, 4)
targets = torch.stack([inputs.sum(dim=1), inputs[:, 0] * inputs[:, 3]], dim=1)
loss_fn = nn.MSELoss()


def train_steps(model, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return loss.item()


model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
last_loss = train_steps(model, optimizer, 10)
print(f'loss after 10 steps: {last_loss:.5f}')

# a state_dict maps names to tensors (parameters and buffers)
state = model.state_dict()
print(type(state).__name__, list(state.keys()))
for name, tensor in state.items():
    print(name, tuple(tensor.shape), tensor.requires_grad)
opt_state = optimizer.state_dict()
print(sorted(opt_state.keys()), opt_state['param_groups'][0]['lr'], opt_state['param_groups'][0]['params'])
print(sorted(opt_state['state'][0].keys()), opt_state['state'][0]['step'])

with tempfile.TemporaryDirectory() as folder:
    # 1. plain tensors and containers of tensors
    path = os.path.join(folder, 'tensors.pt')
    torch.save({'x': torch.arange(6).view(2, 3), 'items': [torch.tensor(1.5), 'text', 3]}, path)
    loaded = torch.load(path)
    print(loaded['x'], loaded['items'])

    # 2. only the weights: the recommended way to keep a trained model
    path = os.path.join(folder, 'weights.pt')
    torch.save(model.state_dict(), path)
    fresh = make_model()
    print(torch.equal(fresh[0].weight, model[0].weight))
    result = fresh.load_state_dict(torch.load(path, weights_only=True))
    print(result)
    print(torch.equal(fresh[0].weight, model[0].weight))

    # 3. a full checkpoint to resume training later
    path = os.path.join(folder, 'checkpoint.pt')
    torch.save({'epoch': 10,
                'model_state_dict': model.state_dict(),
                'optimizer_state_dict': optimizer.state_dict(),
                'loss': last_loss}, path)
    checkpoint = torch.load(path, map_location='cpu')
    print(sorted(checkpoint.keys()), checkpoint['epoch'], f"{checkpoint['loss']:.5f}")

    model2 = make_model()
    optimizer2 = torch.optim.Adam(model2.parameters(), lr=0.01)
    model2.load_state_dict(checkpoint['model_state_dict'])
    optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
    model2.train()

# the original and the restored run now take identical steps
a = train_steps(model, optimizer, 5)
b = train_steps(model2, optimizer2, 5)
print(f'original {a:.5f}  restored {b:.5f}  equal: {a == b}')
print(all(torch.equal(p, q) for p, q in zip(model.parameters(), model2.parameters())))

# loading into a model of another shape fails with a clear message
try:
    nn.Linear(4, 3).load_state_dict({'weight': torch.zeros(2, 4), 'bias': torch.zeros(2)})
except RuntimeError as err:
    print(str(err).splitlines()[0])
    print(str(err).splitlines()[1].strip())
