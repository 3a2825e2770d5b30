"""PyTorch's wording for shapes that do not broadcast (NumPy says it differently)."""
import numpy as np


def broadcast_mismatch(shapes):
    """PyTorch's error for shapes that do not broadcast, found folding them left to right (None
    when they do broadcast)."""
    acc = tuple(shapes[0])
    for sb in shapes[1:]:
        n = max(len(acc), len(sb))
        for i in range(n - 1, -1, -1):
            x = acc[i - n + len(acc)] if i - n + len(acc) >= 0 else 1
            y = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
            if x != y and x != 1 and y != 1:
                return RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b ({y}) at '
                                    f'non-singleton dimension {i}')
        acc = np.broadcast_shapes(acc, tuple(sb))
    return None


def translate(err, arrays):
    """NumPy's broadcasting ValueError, said as PyTorch says it."""
    if 'broadcast' not in str(err):
        return err
    shapes = [a.shape for a in arrays if hasattr(a, 'shape')]
    if len(shapes) < 2:
        return err
    return broadcast_mismatch(shapes[:2]) or err
