"""AgentClinic: simulated clinical encounters for evaluating and training AI doctor agents.

Importing the package registers the Gymnasium environment ``agentclinic/Clinic-v0``.

Importing it is cheap: the public names below load their modules on first use (PEP 562),
so ``agentclinic --help`` or a script that only needs one corner does not pay for the
database layer, the terminology graph or numpy. Registration does not import Gymnasium
either (numpy and all, half the cost of ``--help``): it happens now if Gymnasium is already
imported, else the moment it is, through a one-shot import hook.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and IDEs; at run time these load lazily
    from .actions import Ask, Diagnose, Examine, Invalid, RequestImages, RequestTest, format_action, parse_action
    from .episode import Episode, run_episode
    from .loader import Pack, ScenarioError, load_pack
    from .scenario import DoctorBrief, Scenario

ENV_ID = "agentclinic/Clinic-v0"
_ENTRY_POINT = "agentclinic.env:ClinicEnv"

# public name -> the module that defines it
_LAZY = {
    **dict.fromkeys(("Ask", "Diagnose", "Examine", "Invalid", "RequestImages", "RequestTest", "format_action",
                     "parse_action"), ".actions"),
    **dict.fromkeys(("Episode", "run_episode"), ".episode"),
    **dict.fromkeys(("Pack", "ScenarioError", "load_pack"), ".loader"),
    **dict.fromkeys(("DoctorBrief", "Scenario"), ".scenario"),
}

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


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentclinic")
    except PackageNotFoundError:  # running from a checkout without installation
        return "0.0.0+local"


def __getattr__(name: str) -> Any:
    """Load a public name's module on first access and keep the value as a module global."""
    if name == "__version__":
        value: Any = _package_version()  # importlib.metadata is slow to import: read on demand
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _register(gym: ModuleType) -> None:
    if ENV_ID not in gym.registry:
        gym.register(id=ENV_ID, entry_point=_ENTRY_POINT)


class _RegisterOnGymnasiumImport:  # a meta path finder (importlib.abc is not imported: it costs)
    """Registers the env right after the ``gymnasium`` package has run, then leaves ``sys.meta_path``.

    It asks the finders after it for gymnasium's spec and wraps that spec's ``exec_module``,
    so the registry exists when ``register`` is called. It stays until the package has run:
    a bare ``importlib.util.find_spec("gymnasium")`` (an availability check) imports nothing.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "gymnasium":
            return None
        spec = _spec_from_other_finders(self, name, path, target)
        loader = getattr(spec, "loader", None)
        run_package = getattr(loader, "exec_module", None)
        if run_package is None:
            return spec

        def exec_module(module: ModuleType) -> None:
            run_package(module)
            _register(module)
            _remove_hook()

        try:  # each find_spec makes its own loader instance: patching it touches nothing shared
            loader.exec_module = exec_module  # type: ignore[union-attr]
        except (AttributeError, TypeError):
            pass
        return spec


def _spec_from_other_finders(hook: object, name: str, path: Any, target: Any) -> Any:
    for finder in list(sys.meta_path):
        find = getattr(finder, "find_spec", None) if finder is not hook else None
        spec = find(name, path, target) if find is not None else None
        if spec is not None:
            return spec
    return None


def _remove_hook() -> None:
    # By name: a reloaded package defines a new class, and its old hook must go too.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != _RegisterOnGymnasiumImport.__name__]


def _register_when_gymnasium_loads() -> None:
    gym = sys.modules.get("gymnasium")
    if gym is not None and hasattr(gym, "registry"):
        _register(gym)
        return
    _remove_hook()  # a reloaded package must not leave two hooks behind
    sys.meta_path.insert(0, _RegisterOnGymnasiumImport())


_register_when_gymnasium_loads()
