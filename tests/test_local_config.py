"""``ems up``'s configuration: what each child gets, and passwords that need quoting."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from psycopg.conninfo import conninfo_to_dict

from connector.config import Config as ConnectorConfig
from ems import config as ems_config
from ems import databases
from faas_ems.runtime.settings import FunctionSettings, Platform
from socket_hub.config import HubConfig


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    """``ems_config.load`` with a state folder of its own and these variables set."""

    def load(**variables: str):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return ems_config.load({"EMS_STATE_DIR": str(tmp_path)})

    return load


def test_each_child_gets_what_its_settings_declare(loaded, monkeypatch):
    config = loaded(DB_POOL_SIZE="3", CONNECTOR_PREFETCH="50", HUB_PREFETCH="7", UNRELATED="x")
    function = config.child_env(FunctionSettings)
    connector = config.child_env(ConnectorConfig)
    hub = config.child_env(HubConfig)
    assert function["DB_POOL_SIZE"] == connector["DB_POOL_SIZE"] == "3"
    assert connector["CONNECTOR_PREFETCH"] == "50" and "CONNECTOR_PREFETCH" not in function
    assert hub["HUB_PREFETCH"] == "7" and "HUB_PREFETCH" not in connector
    assert all("UNRELATED" not in env for env in (function, connector, hub))
    # And a replica started with just that environment reads it.
    monkeypatch.delenv("DB_POOL_SIZE")
    with monkeypatch.context() as replica:
        for name, value in function.items():
            replica.setenv(name, value)
        assert FunctionSettings.read().db_pool_size == 3


def test_the_gateway_url_is_this_machines_unless_set(loaded):
    config = loaded(EMS_PORT="18081")
    assert config.child_env(Platform)["GATEWAY_URL"] == "http://127.0.0.1:18081"


@pytest.mark.parametrize("password", ["pa ss@/x", "it's:50%", "back\\slash"])
def test_database_passwords_survive_every_connection_string(loaded, password):
    config = loaded(DB_PASSWORD=password, DB_USER="ems")
    assert conninfo_to_dict(databases.conninfo(config))["password"] == password
    url = urlsplit(databases.migration_url(config, "identity"))
    assert unquote(url.password) == password
    assert (url.hostname, url.path) == ("127.0.0.1", "/ems_identity")
