"""Extraction: from a trained network to a Program."""
