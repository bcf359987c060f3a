from django_tasks import task


@task()
def retry_pending_refunds() -> int:
    """Send again refunds whose provider call did not complete, and settle their after-sales requests."""
    from .services import retry_refunds

    return retry_refunds()
