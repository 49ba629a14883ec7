"""The test suite, a package so that ``tests.support`` is imported like any module."""

import pytest

# The shared helpers assert too: rewrite them like test modules, so failures show their values.
pytest.register_assert_rewrite("tests.support")
