"""The batch engine's parts: the plan of a run and the running of one episode.

:mod:`agentclinic.runner` is the public entry point and re-exports what callers use.
"""
