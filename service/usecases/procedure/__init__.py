"""A round on the adopted procedure: its steps, measures, history, and when the next is due."""
