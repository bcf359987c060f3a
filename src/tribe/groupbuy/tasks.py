from django_tasks import task

from .groups import expire_groups


@task()
def expire_groups_task() -> dict:
    """Fail 拼团 groups past their deadline and refund their paid members."""
    return expire_groups()
