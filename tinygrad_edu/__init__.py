"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation."""

from .engine import Value, dot, gradients, is_grad_enabled, no_grad, topo_order, vsum
from .functional import derivative, grad, gradgradcheck, hessian, hvp, numerical_hessian
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .nn import MLP, Layer, Module, Neuron
from .tape import print_tape, tape
from .viz import GraphvizNotFound, backward_steps, draw_dot, render, render_backward, to_mermaid

__all__ = [
    "MLP",
    "GradcheckError",
    "GraphvizNotFound",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "backward_steps",
    "derivative",
    "dot",
    "draw_dot",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "gradients",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "no_grad",
    "numerical_grad",
    "numerical_hessian",
    "print_tape",
    "render",
    "render_backward",
    "tape",
    "to_mermaid",
    "topo_order",
    "vsum",
]

__version__ = "0.1.0"
