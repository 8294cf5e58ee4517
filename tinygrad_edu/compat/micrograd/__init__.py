"""micrograd's import paths on tinygrad_edu: ``engine.Value`` and ``nn.Neuron/Layer/MLP``.

Change ``from micrograd.engine import Value`` to
``from tinygrad_edu.compat.micrograd.engine import Value`` (and the same for ``nn``); the rest
of the code stays as it is.
"""

from . import engine, nn

__all__ = ["engine", "nn"]
