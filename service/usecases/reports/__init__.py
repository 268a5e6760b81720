"""Management information (ledelsesinformation): aggregates of the official scores for
leaders, with small groups suppressed and the data quality beside every figure.

One module per report; `scope` says who sees which cases' figures, `tables` suppresses
small groups in every table before anyone sees it.
"""
