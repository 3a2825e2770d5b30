"""ember's ops: each defined once, as a class with forward on arrays and backward in Tensor ops."""
