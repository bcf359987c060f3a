from django_tasks import task

from .services import mark_no_shows


@task()
def sweep_trials() -> dict:
    """Selected applicants past their report deadline without a report become no-shows (and are banned)."""
    return mark_no_shows()
