"""Doors in: import paths and conventions of other scalar engines, on tinygrad_edu's engine.

``tinygrad_edu.compat.micrograd`` mirrors micrograd's ``micrograd.engine`` and ``micrograd.nn``,
so code written for it runs with only its imports changed.
"""
