"""Joint planning: one allocation of every agency's budget, compared with each planning alone."""
