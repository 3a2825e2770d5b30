"""Tutorial 1: tensors — creating, printing, indexing, reshaping, broadcasting and dtypes.

Plain PyTorch. Run it with real PyTorch (`python 01_tensors.py`) or on ember
(`python -m ember.run 01_tensors.py`): the printed output is the same.
"""
import numpy as np
import torch

# --- creating tensors -------------------------------------------------------------
x = torch.tensor([[1, 2, 3], [4, 5, 6]])          # from nested lists: int64
print(x)
print(x.dtype, x.shape, x.size(), x.dim(), x.numel())

f = torch.tensor([[1.0, 2.0], [3.0, 4.0]])        # float literals: float32 by default
print(f, f.dtype)

print(torch.zeros(2, 3))
print(torch.ones(2, 2, dtype=torch.double))
print(torch.eye(3))
print(torch.arange(0, 10, 2))
print(torch.linspace(0, 1, steps=5))
print(torch.full((2, 2), 7.5))

ones = x.new_ones(4, 3, dtype=torch.double)       # same device as x, new dtype
print(ones)
z = torch.zeros_like(f)
print(z)

# NumPy interop shares memory in both directions
a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a)
print(b)
print(b.numpy())

# --- indexing: results of basic indexing are views of the same memory ---------------
m = torch.arange(12, dtype=torch.float32).reshape(4, 3)
print(m)
print(m[0, :])
print(m[:, 1])
print(m[1:3, ::2])
print(m[-1])
row = m[0, :]
row += 100                                       # writes through to m
print(m[0])
print(m[m > 8])                                  # boolean masks make a copy
print(m[[0, 2]])                                 # so does integer-array indexing
print(m[1, 2].item())

# --- view, reshape, clone --------------------------------------------------------
v = torch.arange(16.).view(4, 4)
flat = v.view(16)
print(flat.shape, v.view(-1, 8).shape)
v += 1
print(flat)                                      # the view sees the change
c = v.clone().view(2, 8)
c[0, 0] = -1.0
print(v[0, 0], c[0, 0])                          # a clone does not
print(v.t().is_contiguous(), v.t().contiguous().is_contiguous())
print(torch.stack([v[0], v[1]]).shape, torch.cat([v, v], dim=1).shape)
print(v.unsqueeze(0).shape, v.unsqueeze(0).squeeze().shape, v.permute(1, 0).shape)

# --- arithmetic and broadcasting ----------------------------------------------------
p = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
q = torch.tensor([10.0, 20.0, 30.0])
print(p + q)                                     # (2, 3) + (3,) -> (2, 3)
print(p * torch.tensor([[2.0], [-1.0]]))         # (2, 3) * (2, 1) -> (2, 3)
print(torch.arange(3).view(3, 1) + torch.arange(4))
print(torch.add(p, 1), p.sub(1), p / 2, p // 2, p % 4, p ** 2)
result = torch.empty(2, 3)
torch.add(p, q, out=result)
print(result)
p.add_(q)                                        # in place: p itself changes
print(p)
print(p.mean(), p.sum(dim=0), p.max(), p.argmax(dim=1), p.norm())
print(p @ p.t())
print(torch.matmul(p, q))

# --- dtypes and type promotion ------------------------------------------------------
i = torch.tensor([1, 2, 3])
print(i.dtype, (i * 2).dtype, (i * 2.5).dtype, (i / 2).dtype)
print((i + torch.tensor([0.5], dtype=torch.float64)).dtype)
print(i.float(), i.double().dtype, i.to(torch.int8).dtype, f.long())
print(torch.tensor([True, False]) & torch.tensor([True, True]))
for dt in (torch.float32, torch.float64, torch.float16, torch.uint8, torch.int8,
           torch.int16, torch.int32, torch.int64, torch.bool):
    print(dt, torch.zeros(1, dtype=dt).element_size(), torch.zeros(1, dtype=dt).is_floating_point())
print(torch.tensor([1.5, 2.5]).type(), torch.tensor([1, 2]).type())
print(torch.tensor(3.14159), torch.tensor([1e-5, 1.0]), torch.tensor([1e10, 1.0]))
print(torch.arange(2000).float())                # long tensors are summarised with ...
