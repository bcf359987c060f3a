from django_tasks import task

from .draws import sweep


@task()
def sweep_lottery() -> dict:
    """Expire goods prizes not claimed by their deadline (their unit returns to the prize's stock)."""
    return sweep()
