from django_tasks import task

from .services import end_due_sales


@task()
def end_due_flash_sales() -> int:
    """End 秒杀 slots past their end and return what is left to the SKUs (exactly once)."""
    return end_due_sales()
