"""In a real browser: the nav badge loads, the thread page picks up a new message by HTMX polling, and a reply
sent from the page appears for the other person."""

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.messaging.conftest import befriend
from tribe.messaging import services
from tribe.messaging.models import Message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_polling_shows_new_messages_and_the_badge_counts_unread(live_server, page):
    alice, bob = UserFactory(username="alice", nickname="阿丽"), UserFactory(username="bob", nickname="阿波")
    befriend(alice, bob)
    thread = services.start_direct(alice, bob, text="周末有空吗")
    _login(page, live_server.url, bob)
    page.goto(live_server.url + "/")
    page.wait_for_selector("[data-testid=messages-unread]:has-text('1')")

    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    assert page.locator("[data-testid=message]").count() == 1
    services.send(alice, thread, "一起去看展吧")
    page.wait_for_selector("[data-testid=message]:has-text('一起去看展吧')", timeout=10000)
    assert page.locator("[data-testid=message]").count() == 2

    page.fill("textarea[name=text]", "好呀")
    page.click("[data-testid=compose] button[type=submit]")
    page.wait_for_selector("[data-testid=message]:has-text('好呀')")
    assert Message.objects.filter(thread=thread, sender=bob, text="好呀").exists()
