"""The synthetic Kaltara register (``padu synth``)."""

from padu.synth.generator import SyntheticRegister, generate_register, write_register

__all__ = ["SyntheticRegister", "generate_register", "write_register"]
