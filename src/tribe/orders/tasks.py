from django_tasks import task

from .services import run_due


@task()
def sweep_orders() -> dict:
    """Expire unpaid orders past their deadline, auto-confirm receipt, complete orders after after-sales."""
    return run_due()
