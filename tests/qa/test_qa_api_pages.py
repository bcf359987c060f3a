"""Q&A endpoints and pages: status codes, permissions, bad input, the product page's lazy section, pinned
query counts."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tribe.posts.models import Like
from tribe.qa import services
from tribe.qa.models import Answer, Question


def test_ask_and_answer_over_the_api(world, api_as):
    asked = api_as(world.asker).post(f"/products/{world.product.pk}/questions", {"text": "推车能上飞机吗？"})
    assert asked.status_code == 201
    body = asked.json()
    assert (body["invited"], body["answer_count"], body["top_answer"]) == (1, 0, None)
    qid = body["id"]

    invites = api_as(world.buyer).get("/me/answer-invites").json()["items"]
    assert [i["question"]["id"] for i in invites] == [qid]

    answered = api_as(world.buyer).post(f"/questions/{qid}/answers", {"text": "可以，折叠后很小"})
    assert answered.status_code == 201
    assert answered.json()["bought"] is True
    again = api_as(world.buyer).post(f"/questions/{qid}/answers", {"text": "再答一次"})
    assert again.status_code == 409 and error_of(again)["code"] == "already_answered"

    listing = api_as(None).get(f"/products/{world.product.pk}/questions").json()
    assert listing["count"] == 1
    assert listing["items"][0]["answer_count"] == 1
    assert listing["items"][0]["top_answer"]["bought"] is True
    thread = api_as(None).get(f"/questions/{qid}").json()
    assert [(a["author"]["name"], a["bought"]) for a in thread["answers"]] == [("昵称buyer", True)]
    assert api_as(world.buyer).get("/me/answer-invites").json()["items"] == []


@pytest.mark.parametrize("body,status", [
    ({"text": ""}, 422), ({"text": "短"}, 422), ({"text": "x" * 301}, 422), ({"text": 5}, 422), ({}, 422),
])
def test_bad_questions_are_4xx_and_nothing_stored(world, api_as, body, status):
    response = api_as(world.asker).post(f"/products/{world.product.pk}/questions", body)
    assert response.status_code == status
    error_of(response)
    assert Question.objects.count() == 0


def test_unknown_or_unpublished_product_is_404(world, api_as):
    for pid in (world.hidden.pk, 10**9):
        assert api_as(world.asker).post(f"/products/{pid}/questions", {"text": "这个好用吗？"}).status_code == 404
        assert api_as(None).get(f"/products/{pid}/questions").status_code == 404
    assert api_as(None).get("/questions/999999").status_code == 404
    assert Question.objects.count() == 0


def test_anonymous_cannot_write(world, api_as):
    assert api_as(None).post(f"/products/{world.product.pk}/questions", {"text": "这个好用吗？"}).status_code == 401
    assert api_as(None).get("/me/answer-invites").status_code == 401


def test_remove_endpoints(world, api_as):
    q = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    a = services.answer_question(world.buyer, q.pk, text="可以的")
    assert api_as(world.stranger).delete(f"/answers/{a.pk}").status_code == 403
    assert api_as(world.buyer).delete(f"/answers/{a.pk}").status_code == 200
    assert Answer.objects.get(pk=a.pk).removed is True
    assert api_as(world.stranger).delete(f"/questions/{q.pk}").status_code == 403
    assert api_as(world.asker).delete(f"/questions/{q.pk}").status_code == 200
    assert api_as(None).get(f"/questions/{q.pk}").status_code == 404


def test_product_page_loads_the_section_lazily(world, client):
    html = client.get(f"/p/{world.product.pk}/").content.decode()
    assert f'hx-get="/p/{world.product.pk}/questions/section/"' in html


def test_section_shows_latest_questions_with_counts_and_top_answer(world, client):
    q = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    services.answer_question(world.buyer, q.pk, text="<b>可以</b>")
    services.ask_question(world.asker, world.product.pk, text="有雨棚吗？有没有")

    html = client.get(f"/p/{world.product.pk}/questions/section/", headers={"HX-Request": "true"}).content.decode()

    assert html.count('data-testid="question"') == 2
    assert html.count('data-testid="bought"') == 1
    assert "&lt;b&gt;可以&lt;/b&gt;" in html
    assert "登录后提问" in html


def test_ask_page_flow_and_bad_input(world, client):
    client.force_login(world.asker)
    response = client.post(f"/p/{world.product.pk}/questions/ask/", {"text": "推车能上飞机吗？"})
    q = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/questions/{q.pk}/"

    bad = client.post(f"/p/{world.product.pk}/questions/ask/", {"text": "短"})
    assert bad.status_code == 422 and "问题至少 5 个字" in bad.content.decode()
    assert client.post(f"/p/{world.hidden.pk}/questions/ask/", {"text": "推车能上飞机吗？"}).status_code == 404
    assert Question.objects.count() == 1


def test_answer_page_flow_double_answer_and_invites(world, client):
    q = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    client.force_login(world.buyer)
    mine = client.get("/me/questions/").content.decode()
    assert mine.count('data-testid="invite"') == 1

    page = client.get(f"/questions/{q.pk}/").content.decode()
    assert 'data-testid="invited"' in page and 'data-testid="answer-form"' in page
    assert client.post(f"/questions/{q.pk}/answer/", {"text": "可以的"}).status_code == 302
    page = client.get(f"/questions/{q.pk}/").content.decode()
    assert 'data-testid="answer-form"' not in page and page.count('data-testid="bought"') == 1
    again = client.post(f"/questions/{q.pk}/answer/", {"text": "再答"})
    assert again.status_code == 409 and "你已经回答过这个问题了" in again.content.decode()
    empty = client.post(f"/questions/{q.pk}/answer/", {"text": ""})
    assert empty.status_code in (409, 422)
    assert Answer.objects.count() == 1
    assert 'data-testid="invite"' not in client.get("/me/questions/").content.decode()


def test_like_an_answer_through_the_shared_like_endpoint(world, client):
    q = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    a = services.answer_question(world.buyer, q.pk, text="可以的")
    client.force_login(world.stranger)
    response = client.post(f"/likes/answer/{a.pk}/", {"next": f"/questions/{q.pk}/"})
    assert response.status_code == 302
    assert Like.objects.filter(target_kind="answer", target_id=a.pk).count() == 1
    assert "已赞" in client.get(f"/questions/{q.pk}/").content.decode()


SECTION_QUERIES = 6  # session, product, 3 questions (+counts, top answer id), total count, top answers, bought


def test_section_query_count_does_not_grow(world, client, django_assert_num_queries):
    def ask_and_answer(n):
        for i in range(n):
            q = services.ask_question(world.asker, world.product.pk, text=f"问题编号{i}？？")
            for user in (world.buyer, world.stranger, world.refunded):
                services.answer_question(user, q.pk, text="回答内容")
    client.get("/")
    ask_and_answer(3)
    with django_assert_num_queries(SECTION_QUERIES):
        client.get(f"/p/{world.product.pk}/questions/section/")
    ask_and_answer(3)
    with django_assert_num_queries(SECTION_QUERIES):
        html = client.get(f"/p/{world.product.pk}/questions/section/").content.decode()
    assert html.count('data-testid="question"') == 3


THREAD_QUERIES = 4  # session, question (+product, brand, store), answers with likes, bought flags


def test_thread_query_count_does_not_grow(world, client, django_assert_num_queries):
    q = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    client.get("/")
    services.answer_question(world.buyer, q.pk, text="回答内容")
    with django_assert_num_queries(THREAD_QUERIES):
        client.get(f"/questions/{q.pk}/")
    for user in (world.stranger, world.refunded, world.old_buyer):
        services.answer_question(user, q.pk, text="回答内容")
    with django_assert_num_queries(THREAD_QUERIES):
        html = client.get(f"/questions/{q.pk}/").content.decode()
    assert html.count('data-testid="answer"') == 4


def test_list_page_and_signed_in_section_render(world, client):
    services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    client.force_login(world.stranger)
    listing = client.get(f"/p/{world.product.pk}/questions/")
    assert listing.status_code == 200 and listing.content.decode().count('data-testid="question"') == 1
    section = client.get(f"/p/{world.product.pk}/questions/section/").content.decode()
    assert 'data-testid="ask-form"' in section
    assert client.get(f"/p/{world.hidden.pk}/questions/").status_code == 404
    assert client.get(f"/p/{world.product.pk}/questions/?page=0").status_code == 400
