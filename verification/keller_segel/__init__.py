"""Topic keller_segel: the 1D and 2D Keller-Segel models of the chemotaxis notes ([CHEMOTAXIS] §6)."""
