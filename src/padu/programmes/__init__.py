"""Agencies and their programmes: rules, data needs, budgets, and named target lists."""

from padu.programmes.model import Agency, Programme, dump_workshop, load_workshop, preset_workshop

__all__ = ["Agency", "Programme", "dump_workshop", "load_workshop", "preset_workshop"]
