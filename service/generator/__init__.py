"""Data at the size of a municipality and of the country, generated from a seed."""
