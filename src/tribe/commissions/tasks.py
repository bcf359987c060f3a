from django_tasks import task

from .services import release_due


@task()
def release_commissions() -> int:
    """Frozen commissions whose after-sales window has ended become available."""
    return release_due()
