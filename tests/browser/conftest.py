"""One JupyterLab server, one Notebook 7 server and one Chromium for the whole test session."""

from __future__ import annotations

import pytest

from . import lab


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in Chromium (tests/browser)")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, request):
    """JupyterLab on a copy of notebooks/ and solutions/, isolated from the user's Jupyter."""
    server = lab.LabServer.start(tmp_path_factory.mktemp("jupyterlab"))
    request.addfinalizer(server.stop)
    problems = server.kernelspec_problems()
    assert not problems, "; ".join(problems)
    return server


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory, request):
    """Jupyter Notebook 7 on a copy of notebooks/ and solutions/, isolated the same way."""
    server = lab.LabServer.start(tmp_path_factory.mktemp("notebook7"), front_end="notebook")
    request.addfinalizer(server.stop)
    problems = server.kernelspec_problems()
    assert not problems, "; ".join(problems)
    return server


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, else Playwright's own); skips or fails as lab.skip_or_fail."""
    problem = lab.browser_problem()
    if problem:
        lab.skip_or_fail(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = lab.launch_chromium(playwright)
        except Exception as error:  # noqa: BLE001 - any launch failure: no usable browser
            lab.skip_or_fail(f"Chromium did not start ({str(error).splitlines()[0]})")
        yield chromium
        chromium.close()
