"""Turns a customer's pruned answers into a structured draft Statement of Work (pure Python)."""
