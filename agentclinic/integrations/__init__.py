"""Optional integrations with research frameworks (verifiers, Ray), each behind its own extra.

Nothing here is imported by the core; each submodule imports its framework lazily and names
the extra to install when it is missing.
"""
