"""The 2D minimal Keller-Segel model: a finite-volume PDE solver, and particles held against it off the radial line.

Everything here verifies :mod:`continuum.ks2d_minimal` (the PDE) and compares it with the two 2D
particle methods of the suite: the 2D SIPF method (:mod:`agents.sipf2d`, parabolic-parabolic) and
the parabolic-elliptic particles (:mod:`agents.ks2d_particles`). Built on the ``radial`` and ``sipf``
topics, whose particle protocols (``ks2d.particles``, ``sipf2d.run``) the comparisons take.
"""
