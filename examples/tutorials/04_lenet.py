"""Tutorial 4: LeNet — define a convolutional network, inspect it, and take training steps.

The classic 60-minute-blitz network for 1x32x32 inputs. `torch.manual_seed(0)` fixes the random
initial weights and the random inputs, so the printed numbers are the same on every run (and the
same under ember as on PyTorch: ember draws PyTorch's random numbers).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # if the window is square you can give a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


torch.manual_seed(0)
net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())                           # conv1's weight
for name, p in net.named_parameters():
    print(f'{name:14s} {str(tuple(p.shape)):18s} {p.numel()}')
print('trainable parameters:', sum(p.numel() for p in net.parameters() if p.requires_grad))

print(net.conv1.bias)                             # the default (random) initialisation

image = torch.randn(1, 1, 32, 32)
out = net(image)
print(out.shape, out.grad_fn)
print(out)

# gradients: clear them, then backpropagate a chosen upstream gradient
net.zero_grad()
print(net.conv1.bias.grad)
out.backward(torch.randn(1, 10))
print(net.conv1.bias.grad)

# a loss function and an optimizer: one full training step at a time
target = torch.randn(10).view(1, -1)  # a dummy target, as in the blitz
criterion = nn.MSELoss()
optimizer = optim.SGD(net.parameters(), lr=0.01)
loss = criterion(net(image), target)
print(loss)
print(loss.grad_fn)                                    # MSELoss
print(loss.grad_fn.next_functions[0][0])               # Linear (addmm)
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # the bias' AccumulateGrad
for step in range(5):
    optimizer.zero_grad()
    loss = criterion(net(image), target)
    loss.backward()
    optimizer.step()
    print(f'step {step}  loss {loss.item():.5f}')

# a batch of inputs: modules take a mini-batch (N, C, H, W)
batch = torch.stack([image[0], -image[0], image[0].flip(-1)])
print(batch.shape, net(batch).shape)
with torch.no_grad():
    print(net(batch).argmax(dim=1))
