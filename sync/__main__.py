"""`python -m sync` is the scenario-sync command."""

from sync.cli import main

main()
