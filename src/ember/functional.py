"""``torch.functional``: the module where PyTorch writes a few of its top-level functions in
Python. ember defines them with the other ops; this is their import path."""
from . import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors,  # noqa: F401
               cartesian_prod, block_diag, cdist, chain_matmul, einsum, istft, lu, norm, meshgrid,
               pca_lowrank, split, stft, svd_lowrank, tensordot, unique, unique_consecutive, unravel_index)

__all__ = ['atleast_1d', 'atleast_2d', 'atleast_3d', 'broadcast_shapes', 'broadcast_tensors', 'cartesian_prod',
           'block_diag', 'cdist', 'chain_matmul', 'einsum', 'istft', 'lu', 'norm', 'meshgrid', 'pca_lowrank',
           'split', 'stft', 'svd_lowrank', 'tensordot', 'unique', 'unique_consecutive', 'unravel_index']
