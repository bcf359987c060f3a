from django_tasks import task

from .services import expire_due


@task()
def expire_bargains() -> int:
    """Mark bargains past their deadline expired (helps and buys also check the deadline themselves)."""
    return expire_due()
