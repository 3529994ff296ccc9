"""The ``>>>`` examples of deepglass.insight run and show their real output."""
import doctest
import importlib

import pytest

MODULES = ["deepglass.insight.health", "deepglass.insight.verdict", "deepglass.insight.autograd_graph",
           "deepglass.insight.explain", "deepglass.insight.html", "deepglass.insight.callback",
           "deepglass.insight.explain_report"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0


def test_modules_with_examples():
    finder = doctest.DocTestFinder()
    with_examples = {n for n in MODULES if any(t.examples for t in finder.find(importlib.import_module(n)))}
    assert with_examples >= {"deepglass.insight.health", "deepglass.insight.autograd_graph",
                             "deepglass.insight.explain", "deepglass.insight.html"}
