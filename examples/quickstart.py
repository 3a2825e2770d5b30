"""A first ember program: autograd by hand, then a small MLP trained with plain SGD.

Run:  python examples/quickstart.py      (or: python -m ember.run examples/quickstart.py)
"""
import ember as torch

# autograd: out = mean(3 * (x + 2)^2), d(out)/dx = 1.5 * (x + 2)
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)

# a two-layer network learning y = sin(3x) on 256 points
torch.manual_seed(0)
inputs = torch.linspace(-1, 1, 256).unsqueeze(1)
targets = (inputs * 3).sin()
w1 = (torch.randn(1, 64) * 0.5).requires_grad_()
b1 = torch.zeros(64, requires_grad=True)
w2 = (torch.randn(64, 1) * 0.1).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]
for step in range(501):
    pred = (inputs @ w1 + b1).tanh() @ w2 + b2
    loss = ((pred - targets) ** 2).mean()
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= 0.2 * p.grad
    if step % 100 == 0:
        print(f'step {step:4d}  loss {loss.item():.5f}')
print('final loss', round(loss.item(), 5))
