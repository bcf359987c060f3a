from django_tasks import task

from .services import expire_due


@task()
def expire_coupons_task() -> int:
    """Mark available coupons past their window expired (the checkout refuses them either way)."""
    return expire_due()
