"""``python -m agentclinic`` runs the command line."""

from .cli import main

main()
