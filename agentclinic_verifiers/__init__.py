"""The verifiers environment module for AgentClinic: ``vf-eval agentclinic-verifiers``.

verifiers resolves an environment id to a top-level importable module that exports its
Taskset, Env and Harness classes via ``__all__``; this module is that name for
:mod:`agentclinic.integrations.verifiers`, where everything lives.
"""

from agentclinic.integrations.verifiers import (
                                                ClinicEnv,
                                                ClinicHarness,
                                                ClinicTaskset,
                                                ClinicTasksetConfig,
                                                load_environment,
)

__all__ = ["ClinicEnv", "ClinicHarness", "ClinicTaskset", "ClinicTasksetConfig", "load_environment"]
