"""Stage 9: the records of the output contract, and the files they are written to."""
