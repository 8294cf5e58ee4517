def my_tanh_rule(x, out):
    """d(out)/dx for out = tanh(x): 1 − tanh²x, and tanh x is the output."""
    return 1 - out**2
