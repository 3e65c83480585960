from django.tasks import task

from . import search


@task
def search_rebuild(infrastructure_ids: list[int] | None) -> int:
    """Rebuild the search records of these listings (None: of every listing)."""
    search.refresh(infrastructure_ids)
    return 0 if infrastructure_ids is None else len(infrastructure_ids)
