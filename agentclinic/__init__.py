"""AgentClinic: simulated clinical encounters for evaluating and training AI doctor agents.

Importing the package registers the Gymnasium environment ``agentclinic/Clinic-v0``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("agentclinic")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0+local"

import gymnasium as _gym

from .actions import Ask, Diagnose, Examine, Invalid, RequestImages, RequestTest, format_action, parse_action
from .episode import Episode, run_episode
from .loader import Pack, ScenarioError, load_pack
from .scenario import DoctorBrief, Scenario

ENV_ID = "agentclinic/Clinic-v0"
if ENV_ID not in _gym.registry:
    _gym.register(id=ENV_ID, entry_point="agentclinic.env:ClinicEnv")

__all__ = [
    "ENV_ID",
    "Ask",
    "Diagnose",
    "DoctorBrief",
    "Episode",
    "Examine",
    "Invalid",
    "Pack",
    "RequestImages",
    "RequestTest",
    "Scenario",
    "ScenarioError",
    "__version__",
    "format_action",
    "load_pack",
    "parse_action",
    "run_episode",
]
