"""``micrograd.engine`` on tinygrad_edu: ``Value`` is tinygrad_edu's own ``Value``, not a copy.

>>> from tinygrad_edu.compat.micrograd.engine import Value
>>> a = Value(2.0); b = a * a + a; b.backward(); a.grad
5.0
"""

from ...engine import Value

__all__ = ["Value"]
