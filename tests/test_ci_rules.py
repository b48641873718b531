"""The suite's CI rule: under CI=true a test skipped for a missing component fails instead."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")
NEEDS_A_SERVER = """
import pytest

def test_needs_a_server():
    pytest.skip("virtuoso-t is not installed")
"""


def test_a_skip_for_a_missing_component_fails_under_ci(pytester, monkeypatch):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(NEEDS_A_SERVER)
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CI=true: a component this test needs is missing*virtuoso-t*"])


def test_locally_it_stays_a_skip_with_its_reason(pytester, monkeypatch):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(NEEDS_A_SERVER)
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest("-q", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*virtuoso-t is not installed*"])


def test_ci_runs_the_test_command_readme_gives():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8").splitlines()
    command = readme[readme.index("# 2. run the tests") + 1]
    ci = [line for line in (root / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert ci[-1] == command
