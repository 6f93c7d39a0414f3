"""Topic rt1d: 1D two-state run-and-tumble walkers.

Checked against their master equation, effective FPE and exact results (seed 000 §1-3, seed 001 §2-5).
"""
