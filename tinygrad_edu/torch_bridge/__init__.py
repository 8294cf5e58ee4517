"""Leaving for PyTorch: the same MLP as a ``torch.nn.Sequential``, as a script, and its gradients.

* :func:`to_torch` builds ``Linear`` layers (float64) and the same activations, with the same
  weights; :func:`from_torch` brings weights back. Both copy floats exactly, so a round trip is
  bit-identical.
* :func:`export_code` writes a standalone script (PyTorch or NumPy) that a learner can read and
  run without tinygrad_edu: the weights inlined, the forward pass, the loss, a training step.
* :func:`torch_parameter_grads` gives ∂L/∂p for every parameter from torch autograd in float64,
  for every loss of ``tinygrad_edu.losses``, written to match the engine's definitions.

torch is imported only inside these functions; without it they raise an ImportError naming the
``[torch]`` extra. :func:`export_code` never needs torch (or NumPy) to write a script.

Its rooms: :mod:`.inputs` (the loss names, the model and data checks), :mod:`.convert`
(to/from torch, the one lazy ``import torch``), :mod:`.grads` (torch autograd's ∂L/∂p) and
:mod:`.export` (the script writers).
"""

from __future__ import annotations

from .convert import from_torch, to_torch
from .export import export_code
from .grads import torch_parameter_grads
from .inputs import LOSS_NAMES

__all__ = [
    "LOSS_NAMES",
    "export_code",
    "from_torch",
    "to_torch",
    "torch_parameter_grads",
]
