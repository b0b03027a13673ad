"""Normalised text, sentences and the facts every decision reads."""
