"""Tutorial 2: autograd — how PyTorch records operations and computes gradients.

Plain PyTorch; runs the same on real PyTorch and under `python -m ember.run`.
"""
import torch

# --- a first graph --------------------------------------------------------------
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)                                # y was made by an op, so it has a grad_fn
print(type(y.grad_fn).__name__, x.grad_fn, x.is_leaf, y.is_leaf)
z = y * y * 3
out = z.mean()
print(z, out)
print(out.grad_fn.next_functions[0][0].name())
out.backward()                          # out is a scalar: same as out.backward(torch.tensor(1.))
print(x.grad)                           # d(out)/dx = 6 * (x + 2) / 4 = 4.5

# a vector output, with retain_graph so the graph can be used again
x2 = torch.ones(2, 2, requires_grad=True)
y2 = x2 + 2
y2.backward(torch.ones(2, 2), retain_graph=True)
print(x2.grad)
print(y2.grad)                          # None: y2 is not a leaf (PyTorch warns on stderr)
print(y2.requires_grad)

# --- gradients accumulate until you clear them --------------------------------------
x.sum().backward()
print(x.grad)                           # 4.5 + 1
x.grad.zero_()
x.sum().backward()
print(x.grad)

# --- vector outputs need a `gradient` (the vector in a vector-Jacobian product) ------
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a ** 3 - b ** 2
print(Q)
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad, retain_graph=True)
print(9 * a ** 2 == a.grad)
print(-2 * b == b.grad)
print(a.grad)
print(b.grad)
Q.sum().backward()                       # graph kept by retain_graph: gradients add up
print(a.grad)
print(b.grad)

x = torch.tensor([2., 1.], requires_grad=True)
y = x + 2
y.backward(torch.FloatTensor([0.01, 0.1]))
print(x.grad)

x = torch.tensor([-0.9332, 1.9616, 0.1739], requires_grad=True)
y = x * 2
steps = 0
while y.data.norm() < 1000:             # data-dependent loop: the graph is built as it runs
    y = y * 2
    steps += 1
print(y)
print(steps)
y.backward(torch.tensor([0.1, 1.0, 0.0001]))
print(x.grad)

# --- z = 2x + 3y + 4 ---------------------------------------------------------------
u = torch.tensor([2.], requires_grad=True)
w = torch.tensor([3.], requires_grad=True)
s = 2 * u + 3 * w + 4
s.backward()
print(u.grad, w.grad)

# --- what is left out of the graph -------------------------------------------------
p = torch.full((5, 5), 0.5)
q = torch.full((5, 5), 0.25)
r = torch.full((5, 5), 1.0, requires_grad=True)
print(f"Does 'p + q' require gradients?: {(p + q).requires_grad}")
print(f"Does 'p + r' require gradients?: {(p + r).requires_grad}")

c = torch.tensor([[1., -2.], [0.5, 3.]])
c = (c * 3) / (c - 1)
print(c.requires_grad)
c.requires_grad_(True)
print(c.requires_grad)
print(type((c * c).sum().grad_fn).__name__)

print(a.requires_grad, (a ** 2).requires_grad)
with torch.no_grad():                   # evaluation code: nothing is recorded
    print((a ** 2).requires_grad)
d = a.detach()
print(d.requires_grad, d)

# changing .data is not recorded either
t = torch.ones(1, requires_grad=True)
print(t.data, t.data.requires_grad)
y = 2 * t
t.data *= 100
y.backward()
print(t)
print(t.grad)

# calling backward on something that does not require grad is an error
try:
    plain = torch.ones(2, 2)
    ((plain + 2) * (plain + 2) * 3).mean().backward()
except RuntimeError as err:
    print('RuntimeError:', err)

# backward twice through the same graph without retain_graph is an error too
g = torch.tensor([1., 2.], requires_grad=True)
h = (g * g).sum()
h.backward()
try:
    h.backward()
except RuntimeError as err:
    print('RuntimeError:', str(err).splitlines()[0])

# non-leaf tensors keep their gradient only if asked to
k = torch.tensor([1., 2., 3.], requires_grad=True)
m = k * k
m.retain_grad()
m.sum().backward()
print(m.grad, k.grad)

# higher-order gradients: differentiate the gradient
x = torch.tensor(3., requires_grad=True)
y = x ** 3
(dy,) = torch.autograd.grad(y, x, create_graph=True)
(d2y,) = torch.autograd.grad(dy, x)
print(dy, d2y)
