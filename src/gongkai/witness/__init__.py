"""Witnesses besides the grid reading, and how their readings are settled cell by cell."""
