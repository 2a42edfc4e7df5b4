"""What each publishable entry becomes: the walkthrough prompt (and, as it grows, the clip plan)."""
