"""Topic sipf: the stochastic interacting particle-field algorithm for 3D (and 2D) Keller-Segel ([SIPF])."""
