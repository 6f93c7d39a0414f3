"""Topic radial: the references of [SIPF] that are not SIPF.

The radial 3D Keller-Segel solver and the 2D particle variance identity.
"""
