"""Topic rtnd: isotropic run-and-tumble walkers in 2D and 3D against the derived diffusivity ([MIPS] §1)."""
