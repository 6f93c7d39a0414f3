"""sympy derivations whose lambdified results the checks use."""
