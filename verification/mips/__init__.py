"""Topic mips: density-dependent walkers, Cahn-Hilliard and the effective free energy ([MIPS] §4-6)."""
