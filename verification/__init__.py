"""Checks, sympy derivations, statistics, report and command line of activebench."""

__version__ = "0.1.0"
