import pytest

from core import pagecache


@pytest.fixture(autouse=True)
def _no_pages_in_memory():
    # Each test starts with an empty per-process page memory, as a new worker does.
    pagecache.forget_local()
    yield
    pagecache.forget_local()
