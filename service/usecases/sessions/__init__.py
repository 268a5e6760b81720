"""Short session forms: standing links per child and measure, each session's answers, and
the child's series for the caseworker, the provider and the meeting."""
