"""Documents for the case file: a round's report as HTML and PDF."""
