def my_backward(root):
    """Set node.grad = d(root)/d(node) for every node reachable from root."""
    # a topological order without recursion: a node goes in after all of its parents
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in seen)
    for node in order:
        if node.parents:  # interior gradients are recomputed; leaves accumulate
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):  # every user of a node is done before the node itself
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
