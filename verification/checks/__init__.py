"""Check modules; importing one registers its checks."""
