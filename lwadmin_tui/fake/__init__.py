"""A faithful local LangWatch API-key server (reference/langwatch-api.md) for demos and tests.

Standard library only (plus pydantic if ever needed): it must never depend on the app's client.
"""

from lwadmin_tui.fake.org import (
    FakeBinding,
    FakeKey,
    FakeOrg,
    FakeProject,
    FakeTeam,
    FakeUser,
    iso,
    key_detail,
    key_info,
    nanoid,
    project_key_token,
    random_alnum,
    token_for,
)
from lwadmin_tui.fake.rules import FakeLangWatch, FakeResponse, RequestRecord
from lwadmin_tui.fake.scenarios import SCENARIOS, Scenario, admin_scenario, manager_scenario
from lwadmin_tui.fake.server import FakeServer, FaultSwitches

__all__ = [
    "SCENARIOS",
    "FakeBinding",
    "FakeKey",
    "FakeLangWatch",
    "FakeOrg",
    "FakeProject",
    "FakeResponse",
    "FakeServer",
    "FakeTeam",
    "FakeUser",
    "FaultSwitches",
    "RequestRecord",
    "Scenario",
    "admin_scenario",
    "iso",
    "key_detail",
    "key_info",
    "manager_scenario",
    "nanoid",
    "project_key_token",
    "random_alnum",
    "token_for",
]
