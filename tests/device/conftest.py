"""The device tests: the Debian package built, installed into a real Debian 12 root
and booted there under systemd. Slow (minutes) and root-only: marker `device`."""

from __future__ import annotations

import os
import shutil

import pytest

TOOLS = ("debootstrap", "systemd-nspawn", "dpkg-deb")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "device: builds the Debian package and boots it in a Debian 12 "
                            "container (root, debootstrap, systemd-nspawn; minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    reason = ("needs root" if os.geteuid() != 0 else
              f"needs {', '.join(missing)}" if missing else None)
    for item in items:
        # test_deb.py boots the package; the other files here are quick unit tests.
        if item.path.name == "test_deb.py":
            item.add_marker(pytest.mark.device)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
