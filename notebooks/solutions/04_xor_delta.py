def my_backprop(weights, X, Y):
    """[(dW, db) for each layer] of the mean BCE loss over the batch."""
    m = X.shape[0]
    A = [X]
    for W, b in weights:  # forward, keeping every activation
        A.append(1 / (1 + np.exp(-(A[-1] @ W.T + b))))
    delta = A[-1] - Y  # sigmoid + BCE
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        grads.append((delta.T @ A[layer] / m, delta.sum(axis=0) / m))
        if layer:
            a = A[layer]  # σ′(z) = a(1 − a), with a = σ(z)
            delta = (delta @ weights[layer][0]) * a * (1 - a)
    return grads[::-1]
