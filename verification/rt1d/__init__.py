"""Topic rt1d: 1D two-state run-and-tumble walkers.

Checked against their master equation, effective FPE and exact results ([MIPS] §1-3, [CHEMOTAXIS] §2-5).
"""
