from django_tasks import task

from . import services


@task()
def deliver_push(message_id: int) -> dict:
    return services.deliver(message_id)


@task()
def send_digests() -> dict:
    """Daily: the digests that are due (each user's comes every TRIBE_DIGEST_DAYS)."""
    return services.send_due_digests()
