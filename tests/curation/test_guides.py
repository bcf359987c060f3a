"""Guides (场景化导购): service rules, API, pages, share card, guide_view event, pinned query count."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tribe.core.errors import PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.curation import selectors, services
from tribe.curation.models import Guide, GuideStep, GuideStepProduct


def _steps(world):
    return [
        {"title": "出院前", "text": "提前准备", "products": [{"product": world.products[0].pk, "note": "必带"}]},
        {"title": "回家路上", "products": [{"product": world.products[1].pk},
                                          {"product": world.products[2].pk, "note": "安全座椅"}]},
    ]


def test_create_guide_with_steps(world):
    guide = services.create_guide(world.curator, title="新生儿出院回家", scenario="出院回家", intro="不慌",
                                  steps=_steps(world))

    steps = list(guide.steps.order_by("position"))
    assert [s.title for s in steps] == ["出院前", "回家路上"]
    assert list(steps[1].products.order_by("position").values_list("product_id", "note")) == [
        (world.products[1].pk, ""), (world.products[2].pk, "安全座椅")]


@pytest.mark.parametrize("change", ["unpublished", "duplicate", "no_title", "too_many"])
def test_bad_steps_store_nothing(world, change, monkeypatch):
    steps = _steps(world)
    if change == "unpublished":
        steps[1]["products"].append({"product": world.hidden.pk})
    elif change == "duplicate":
        steps[1]["products"].append({"product": world.products[1].pk})
    elif change == "no_title":
        steps[0]["title"] = " "
    else:
        monkeypatch.setattr(services, "MAX_GUIDE_STEPS", 1)
    with pytest.raises(ValidationFailed):
        services.create_guide(world.curator, title="指南", scenario="场景", steps=steps)
    assert Guide.objects.count() == GuideStep.objects.count() == GuideStepProduct.objects.count() == 0


def test_only_brand_staff_publish_as_brand_and_edit_brand_guides(world):
    with pytest.raises(PermissionDenied):
        services.create_guide(world.staff_b, title="冒名", scenario="场景", brand_id=world.brand_a.pk)
    guide = services.create_guide(world.staff_a, title="官方指南", scenario="场景", brand_id=world.brand_a.pk)
    with pytest.raises(PermissionDenied):
        services.update_guide(world.staff_b, guide, title="改")
    with pytest.raises(PermissionDenied):
        services.add_step(world.curator, guide, title="插一步")
    services.add_step(world.staff_a, guide, title="第一步", products=[{"product": world.products[0].pk}])
    assert guide.steps.count() == 1


def test_draft_guides_are_visible_to_their_author_only(world):
    guide = services.create_guide(world.curator, title="草稿", scenario="场景", published=False)
    assert selectors.find_guide(world.curator, guide.pk) == guide
    assert selectors.find_guide(world.stranger, guide.pk) is None
    assert selectors.find_guide(None, guide.pk) is None


def test_update_replaces_steps(world):
    guide = services.create_guide(world.curator, title="指南", scenario="场景", steps=_steps(world))
    services.update_guide(world.curator, guide, steps=[{"title": "唯一一步"}])
    assert list(guide.steps.values_list("title", flat=True)) == ["唯一一步"]
    assert GuideStepProduct.objects.count() == 0


def test_guide_api_crud_and_visibility(world, api_as):
    api = api_as(world.curator)
    created = api.post("/guides", {"title": "待产包", "scenario": "宝宝出生前", "steps": _steps(world)})
    assert created.status_code == 201
    body = created.json()
    assert [len(s["products"]) for s in body["steps"]] == [1, 2]
    guide_id = body["id"]

    anon = api_as(None)
    assert anon.get(f"/guides/{guide_id}").json()["title"] == "待产包"
    assert Event.objects.filter(name="guide_view", object_id=guide_id).count() == 1
    assert [g["id"] for g in anon.get("/guides").json()["items"]] == [guide_id]

    assert api.patch(f"/guides/{guide_id}", {"published": False}).status_code == 200
    assert anon.get(f"/guides/{guide_id}").status_code == 404
    assert api_as(world.stranger).patch(f"/guides/{guide_id}", {"title": "x"}).status_code == 404
    assert [g["id"] for g in api.get("/me/guides").json()["items"]] == [guide_id]
    assert api.delete(f"/guides/{guide_id}").status_code == 200
    assert Guide.objects.count() == 0


def test_guide_api_bad_input_is_422(world, api_as):
    api = api_as(world.curator)
    response = api.post("/guides", {"title": "x", "scenario": "y",
                                    "steps": [{"title": "a", "products": [{"product": world.hidden.pk}]}]})
    assert response.status_code == 422
    assert "steps.0.products.0.product" in error_of(response)["fields"]
    assert api.post("/guides", {"title": "x"}).status_code == 422
    assert api_as(world.staff_b).post("/guides", {"title": "x", "scenario": "y",
                                                  "brand": world.brand_a.pk}).status_code == 403
    assert Guide.objects.count() == 0


def test_guide_pages_create_edit_and_view(world, client):
    client.force_login(world.curator)
    response = client.post("/guides/new/", {"title": "宝宝出生前的待产包", "scenario": "待产", "intro": "",
                                            "published": "on"})
    guide = Guide.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guides/{guide.pk}/edit/"

    lines = f"{world.products[0].pk} 必备\n/p/{world.products[1].pk}/"
    assert client.post(f"/guides/{guide.pk}/steps/", {"title": "妈妈用品", "products": lines}).status_code == 302
    bad = client.post(f"/guides/{guide.pk}/steps/", {"title": "坏", "products": str(world.hidden.pk)})
    assert bad.status_code == 422
    assert guide.steps.count() == 1

    client.logout()
    html = client.get(f"/guides/{guide.pk}/").content.decode()
    assert html.count('data-testid="guide-step"') == 1
    assert html.count('data-testid="product-card"') == 2
    assert '<meta property="og:title" content="宝宝出生前的待产包">' in html
    assert client.get(f"/guides/{guide.pk}/edit/").status_code == 302  # to login


def test_other_users_cannot_edit_guide_pages(world, client):
    guide = services.create_guide(world.curator, title="指南", scenario="场景")
    client.force_login(world.stranger)
    assert client.get(f"/guides/{guide.pk}/edit/").status_code == 403
    assert client.post(f"/guides/{guide.pk}/steps/", {"title": "插"}).status_code == 403
    assert guide.steps.count() == 0


def test_guide_share_card(world, client):
    guide = services.create_guide(world.curator, title="出院回家", scenario="新生儿", steps=_steps(world))
    card = client.get(f"/share/guide/{guide.pk}/")
    assert card.status_code == 200
    assert "出院回家" in card.content.decode()
    draft = services.create_guide(world.curator, title="草稿", scenario="x", published=False)
    assert client.get(f"/share/guide/{draft.pk}/").status_code == 404


GUIDE_PAGE_QUERIES = 12  # session, guide, steps, step products, images, event (3 with savepoint), likes panel (4)


@pytest.mark.django_db
def test_guide_page_query_count_does_not_grow(world, client, django_assert_num_queries):
    guide = services.create_guide(world.curator, title="指南", scenario="场景",
                                  steps=[{"title": "一", "products": [{"product": world.products[0].pk}]}])
    client.get("/")
    with django_assert_num_queries(GUIDE_PAGE_QUERIES):
        client.get(f"/guides/{guide.pk}/")
    for i in range(3):
        services.add_step(world.curator, guide, title=f"步{i}",
                          products=[{"product": p.pk} for p in world.products])
    with django_assert_num_queries(GUIDE_PAGE_QUERIES):
        html = client.get(f"/guides/{guide.pk}/").content.decode()
    assert html.count('data-testid="guide-step"') == 4


def test_owner_pages_render(world, client):
    from tribe.curation import services as s

    guide = s.create_guide(world.curator, title="指南", scenario="场景", steps=_steps(world), published=False)
    album = s.create_album(world.curator, title="清单", is_public=False)
    s.add_item(world.curator, album, product_id=world.products[0].pk)
    world.products[0].published = False
    world.products[0].save()
    client.force_login(world.curator)

    mine = client.get("/albums/mine/").content.decode()
    assert "清单" in mine and "指南" in mine
    edit = client.get(f"/guides/{guide.pk}/edit/").content.decode()
    assert edit.count('data-testid="guide-step-row"') == 2
    detail = client.get(f"/albums/{album.pk}/").content.decode()
    assert 'data-testid="album-hidden"' in detail and 'data-testid="album-add"' in detail
    assert client.get(f"/guides/{guide.pk}/").status_code == 200
    assert client.get("/guides/").status_code == 200
    assert client.get("/guides/?page=x").status_code == 400
