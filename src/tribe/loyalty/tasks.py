from django_tasks import task

from .services import expire_points


@task()
def expire_points_task() -> int:
    """Write off what is left of expired points lots (hourly; reads never count them anyway)."""
    return expire_points()
