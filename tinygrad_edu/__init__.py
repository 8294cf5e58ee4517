"""tinygrad_edu: a scalar reverse-mode autodiff engine for learning backpropagation.

The front door holds the lesson's names; everything else is imported from its room
(``tinygrad_edu.functional``, ``tinygrad_edu.serialize``, ``tinygrad_edu.torch_bridge``, …).
"""

from . import compile, data, explore, tutor
from .engine import Value, no_grad
from .gcpolicy import gc_paused
from .gradcheck import gradcheck
from .losses import bce, bce_with_logits, cross_entropy, mse, softmax
from .manual import crosscheck
from .nn import MLP, Layer, Module, Neuron, Perceptron
from .optim import SGD, Adam
from .tape import tape
from .train import fit
from .viz import draw_dot

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Module",
    "Neuron",
    "Perceptron",
    "Value",
    "bce",
    "bce_with_logits",
    "compile",
    "cross_entropy",
    "crosscheck",
    "data",
    "draw_dot",
    "explore",
    "fit",
    "gc_paused",
    "gradcheck",
    "mse",
    "no_grad",
    "softmax",
    "tape",
    "tutor",
]

__version__ = "0.1.0"
