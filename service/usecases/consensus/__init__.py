"""The consensus meeting and its decisions: official scores, attendance, disagreement notes."""
