"""Social in a real browser: join a circle, post a 晒图 with a product and a photo into it, a friend (also a
member) sees it in their feed with the reason, and opening the post's share link records the share open."""

import io

import pytest
from PIL import Image

from tests.factories import PASSWORD, ProductFactory, UserFactory
from tribe.circles import services as circles
from tribe.core.models import Event
from tribe.posts.models import Post
from tribe.social import services as social

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_join_circle_post_see_in_friends_feed_and_open_share_link(live_server, browser, tmp_path):
    stroller = ProductFactory(name="轻便婴儿推车 可登机")
    owner, author, friend = UserFactory(), UserFactory(username="mama_li"), UserFactory(username="mama_wang")
    circle = circles.create_circle(owner, name="新手妈妈圈", slug="new-moms", join_policy="open")
    circles.join_circle(friend, circle)
    social.follow_user(author, friend)
    social.follow_user(friend, author)
    photo = tmp_path / "stroller.png"
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 200)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, author)

    # join the circle
    page.goto(f"{live_server.url}/circles/new-moms/")
    page.click("[data-testid=join]")
    page.wait_for_selector("[data-testid=leave]")

    # post a 晒图 about the stroller from its product page, into the circle, with a photo
    page.goto(f"{live_server.url}/p/{stroller.pk}/")
    page.click("[data-testid=post-about-product]")
    page.wait_for_url("**/posts/new/**")
    page.fill("textarea[name=text]", "推车很轻，一只手就能收起来 <script>alert(1)</script>")
    page.set_input_files("[data-testid=post-images]", str(photo))
    page.select_option("[data-testid=post-circle]", "new-moms")
    page.click("[data-testid=post-submit]")
    page.wait_for_url("**/posts/*/")
    post = Post.objects.get()
    assert post.circle == circle and list(post.products.all()) == [stroller] and post.images.count() == 1
    assert "<script>alert(1)</script>" in page.inner_text("[data-testid=post-card]")  # shown as text
    share_href = page.get_attribute("[data-testid=share-button]", "href")
    ctx.close()

    # the friend sees it in their feed, saying why
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, friend)
    page.click("[data-testid=feed-link]")
    page.wait_for_url("**/feed/")
    card = page.locator(f"[data-testid=post-card][data-post-id='{post.pk}']")
    assert "推车很轻" in card.inner_text()
    assert "mama_li" in card.locator("[data-testid=why-shown]").inner_text() or \
        author.display_name in card.locator("[data-testid=why-shown]").inner_text()
    assert stroller.name in card.locator("[data-testid=product-card]").inner_text()

    # and opens the share link: the share card page, then the post itself, with the share open recorded
    page.goto(live_server.url + share_href)
    link = page.input_value("[data-testid=share-link]")  # carries the sharer (the friend, signed in)
    assert f"/posts/{post.pk}/" in link
    page.goto(link)
    page.wait_for_selector("[data-testid=post-card]")
    assert Event.objects.filter(name="share_open", object_type="post", object_id=post.pk).exists()
    ctx.close()
