"""The shipped instrument catalogue (data files in ``catalogue/``)."""
