# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Helpers for the service modules' tests."""
import pathlib
import unittest

import pytest

from trytond.tests.test_tryton import load_doc_tests


def scenario_tests(name, path):
    """Return load_tests (for unittest) and a pytest test per scenario

    pytest ignores the load_tests protocol, so without the second the
    scenario_*.rst files would silently not run under pytest."""
    def load_tests(loader, tests, pattern):
        return load_doc_tests(name, path, loader, tests, pattern)

    scenarios = sorted(
        p.name for p in pathlib.Path(path).parent.glob('scenario_*.rst'))

    @pytest.mark.parametrize('scenario', scenarios)
    def test_scenario(scenario):
        loader = unittest.TestLoader()
        loader.testNamePatterns = [scenario]
        suite = load_doc_tests(name, path, loader, unittest.TestSuite(), None)
        result = unittest.TestResult()
        suite.run(result)
        assert result.testsRun >= 1, f"{scenario} did not run"
        problems = result.failures + result.errors
        assert not problems, '\n'.join(text for _, text in problems)
    return load_tests, test_scenario
