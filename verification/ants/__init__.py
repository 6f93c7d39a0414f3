"""Topic ants: the disc model of the ants paper, its Lyapunov functional, threshold and annealing ([ANTS])."""
