from django_tasks import task

from .services import run_presale_due


@task()
def presale_due_task() -> dict:
    """Balance reminders, and closing unpaid balances after the window by each presale's refund rule."""
    return run_presale_due()
