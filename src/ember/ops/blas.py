"""(being written)"""
__all__ = []      # names exported as ember.<name>
METHODS = {}     # Tensor method name -> function
