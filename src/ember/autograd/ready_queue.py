"""The order in which the backward pass runs its ready nodes, as PyTorch's engine runs them.

PyTorch keeps ready nodes in a ``std::priority_queue``: the node made last (highest sequence
number) runs first, and a leaf's AccumulateGrad (sequence number 2**64 - 1) as soon as it is
ready. Ties (several AccumulateGrads) come out in the order libstdc++'s heap algorithm gives,
so that algorithm is written out here (``heapq``'s differs). The order is visible: tensor and
grad hooks fire in it, and a node's incoming gradients are summed in it."""
import itertools

_counter = itertools.count(1)
next_seq = _counter.__next__       # a node's sequence number, taken when the node is made

LEAF_SEQ = (1 << 64) - 1


def push(heap, node):
    """``std::push_heap``: add ``node``."""
    heap.append(node)
    _sift_up(heap, len(heap) - 1, 0, node)


def pop(heap):
    """``std::pop_heap`` then ``pop_back``: remove and return the node to run next."""
    top = heap[0]
    last = heap.pop()
    n = len(heap)
    if n:
        hole = 0                   # move the hole down to a leaf, then sift ``last`` up into it
        child = 0
        while child < (n - 1) // 2:
            child = 2 * (child + 1)
            if heap[child]._seq < heap[child - 1]._seq:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if n % 2 == 0 and child == (n - 2) // 2:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        _sift_up(heap, hole, 0, last)
    return top


def _sift_up(heap, hole, top, node):
    seq = node._seq
    parent = (hole - 1) // 2
    while hole > top and heap[parent]._seq < seq:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = node
