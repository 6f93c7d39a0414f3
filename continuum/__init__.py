"""Continuum solvers: master equations, Fokker-Planck equations and their exact steady states."""
