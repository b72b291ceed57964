"""Fixtures for the TUI tests: the fake service on a temporary store path, and the anyio backend."""

from __future__ import annotations

import pytest

from tests.tui.fake_service import FakeService


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def service(make_settings) -> FakeService:
    return FakeService(make_settings())
