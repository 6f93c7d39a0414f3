"""Checks of the 2D minimal Keller-Segel topic (moments): being written."""

from verification.testing import WrongModel

#: Deliberately wrong methods for the checks of this module (collected by wrong_models).
WRONG_MODELS: list[WrongModel] = []
