"""What each entry becomes: the walkthrough prompt (templates), the clip plan and its manifest (render
targets), and the over-promise lint findings. Pure: entry and policy in, text and data out."""
