"""``python -m agentclinic.viewer --db URL --port N``: the same as ``agentclinic view``."""

import typer

from ..cli.view import view

typer.run(view)
