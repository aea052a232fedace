"""Training data: public stance sets in one schema, and the in-domain annotated corpus."""
