"""Individual-based models: parameters, state, numba kernels and Mesa models."""
