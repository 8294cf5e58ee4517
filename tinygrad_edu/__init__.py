"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation."""

from .engine import Value, dot, gradients, is_grad_enabled, no_grad, topo_order, vsum
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .nn import MLP, Layer, Module, Neuron

__all__ = [
    "MLP",
    "GradcheckError",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "dot",
    "gradcheck",
    "gradients",
    "is_grad_enabled",
    "no_grad",
    "numerical_grad",
    "topo_order",
    "vsum",
]

__version__ = "0.1.0"
