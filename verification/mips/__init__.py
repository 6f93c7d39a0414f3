"""Topic mips: density-dependent walkers, Cahn-Hilliard and the effective free energy (seed 000 §4-6)."""
