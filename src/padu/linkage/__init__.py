"""Linking agencies' beneficiary lists to the register (names, identifiers, matching)."""

from padu.linkage.names import NameForm, name_similarity, normalise_name, phonetic

__all__ = ["NameForm", "name_similarity", "normalise_name", "phonetic"]
