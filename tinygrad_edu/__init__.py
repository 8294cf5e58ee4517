"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation."""

from . import data
from .engine import Value, dot, gradients, is_grad_enabled, no_grad, topo_order, vsum
from .functional import derivative, grad, gradgradcheck, hessian, hvp, numerical_hessian
from .gcpolicy import gc_paused
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .losses import (
    bce,
    bce_with_logits,
    cross_entropy,
    half_sse,
    hinge,
    log_softmax,
    mse,
    softmax,
)
from .manual import crosscheck
from .nn import MLP, Layer, Module, Neuron, Perceptron, from_config, perceptron_bound
from .optim import SGD, Adam, AdamW
from .serialize import ModelFileError, load, save
from .tape import print_tape, tape
from .torch_bridge import export_code, from_torch, to_torch
from .train import DivergedError, History, accuracy, classify, fit, predict
from .viz import GraphvizNotFound, backward_steps, draw_dot, render, render_backward, to_mermaid

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "DivergedError",
    "GradcheckError",
    "GraphvizNotFound",
    "History",
    "Layer",
    "ModelFileError",
    "Module",
    "Neuron",
    "Perceptron",
    "Value",
    "accuracy",
    "backward_steps",
    "bce",
    "bce_with_logits",
    "classify",
    "cross_entropy",
    "crosscheck",
    "data",
    "derivative",
    "dot",
    "draw_dot",
    "export_code",
    "fit",
    "from_config",
    "from_torch",
    "gc_paused",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "gradients",
    "half_sse",
    "hessian",
    "hinge",
    "hvp",
    "is_grad_enabled",
    "load",
    "log_softmax",
    "mse",
    "no_grad",
    "numerical_grad",
    "numerical_hessian",
    "perceptron_bound",
    "predict",
    "print_tape",
    "render",
    "render_backward",
    "save",
    "softmax",
    "tape",
    "to_mermaid",
    "to_torch",
    "topo_order",
    "vsum",
]

__version__ = "0.1.0"
