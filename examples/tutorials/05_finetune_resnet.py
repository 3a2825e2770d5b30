"""Tutorial 5: fine-tuning — take a ResNet-18, freeze it, and train a new classifier head.

Uses torchvision's model zoo. `weights=None` builds the network with random weights, so this
script runs offline; with a downloaded checkpoint you would pass
`weights=ResNet18_Weights.IMAGENET1K_V1` instead and everything else stays the same.
"""
import torch
import torchvision
from torch import nn, optim

torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None)
print(model.fc)
print(sum(p.numel() for p in model.parameters()), 'parameters')
print([name for name, _ in model.named_children()])

# one ordinary training step on the whole network
data = torch.rand(2, 3, 64, 64)                 # a tiny batch of 64x64 RGB images
labels = torch.rand(2, 1000)
prediction = model(data)                        # forward pass
print(prediction.shape, prediction.grad_fn.name())
loss = (prediction - labels).sum()
loss.backward()                                 # gradients land in each parameter's .grad
print(model.conv1.weight.grad.shape, model.fc.bias.grad.shape)
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
optimizer.step()                                # gradient descent
model.zero_grad()                               # drop the gradients (they become None)

# freeze every parameter of the network ...
for param in model.parameters():
    param.requires_grad = False

# ... and replace the last layer: new parameters require gradients by default
model.fc = nn.Linear(512, 10)
print(model.fc)
trainable = [name for name, p in model.named_parameters() if p.requires_grad]
print('trainable:', trainable)
print(sum(p.numel() for p in model.parameters() if p.requires_grad), 'trainable parameters')

# optimise only the classifier
optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
criterion = nn.CrossEntropyLoss()
targets = torch.tensor([3, 7])
conv1_before = model.conv1.weight.clone()
fc_before = model.fc.weight.clone()

model.train()
for step in range(3):
    optimizer.zero_grad()
    loss = criterion(model(data), targets)
    loss.backward()
    optimizer.step()
    print(f'step {step}: loss is finite: {bool(torch.isfinite(loss))}')

print('conv1 grad:', model.conv1.weight.grad)   # frozen: backward never reaches it
print('conv1 unchanged:', torch.equal(model.conv1.weight, conv1_before))
print('fc changed:', not torch.equal(model.fc.weight, fc_before))

# inference: eval mode (batch-norm uses its running statistics) and no graph
model.eval()
with torch.no_grad():
    probabilities = model(data).softmax(dim=1)
print(probabilities.shape, probabilities.requires_grad, torch.allclose(probabilities.sum(dim=1), torch.ones(2)))
