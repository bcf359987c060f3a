"""Station content forms: each happy path changes exactly what it should; bad input is refused, unstored."""

from django.urls import reverse
from tests.images import png_upload, text_upload

from tribe.brands.models import Brand, BrandMedia, BrandNews


def _files_under(path):
    return sorted(p.name for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_index_lists_only_the_brands_the_user_manages(staff_client, brand_a, brand_b):
    # when staff of brand A open the console
    response = staff_client.get(reverse("console:index"))

    # then they see brand A, not brand B
    assert response.status_code == 200
    assert list(response.context["brands"]) == [brand_a]


def test_index_for_platform_operator_lists_every_brand(client_for, operator, brand_a, brand_b):
    response = client_for(operator).get(reverse("console:index"))

    assert response.status_code == 200
    assert list(response.context["brands"]) == [brand_a, brand_b]


def test_index_for_consumer_is_403_and_for_anonymous_a_login_redirect(client_for, consumer):
    assert client_for(consumer).get(reverse("console:index")).status_code == 403
    response = client_for(None).get(reverse("console:index"))
    assert response.status_code == 302
    assert response.url == reverse("web:login") + "?next=/console/"


def test_anonymous_htmx_request_is_sent_to_login_with_hx_redirect(client_for, brand_a, product_a):
    # given a session that expired while an inline editor was open
    sku = product_a.skus.get()

    response = client_for(None).post(
        reverse("console:sku_edit", args=["brand-a", sku.pk]),
        {"price": "1.00", "stock": "1"},
        HTTP_HX_REQUEST="true",
    )

    # then htmx is told to take the whole page to login (not to swap the login form into the row)
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("web:login") + f"?next=/console/brand-a/skus/{sku.pk}/"


def test_unknown_brand_is_404(staff_client, brand_a):
    assert staff_client.get(reverse("console:dashboard", args=["no-such-brand"])).status_code == 404


def test_station_update_saves_name_tagline_story(staff_client, brand_a):
    # when staff save the station form
    response = staff_client.post(
        reverse("console:station", args=["brand-a"]),
        {"name": "  新品牌名 ", "tagline": "温柔呵护", "story": "始于 1998 年。"},
    )

    # then the brand carries exactly the new text (trimmed) and the page says so
    assert response.status_code == 302
    assert response.url == reverse("console:station", args=["brand-a"])
    brand = Brand.objects.get(pk=brand_a.pk)
    assert (brand.name, brand.tagline, brand.story) == ("新品牌名", "温柔呵护", "始于 1998 年。")
    assert "品牌站信息已保存" in staff_client.get(response.url).content.decode()


def test_station_update_with_empty_name_is_422_and_changes_nothing(staff_client, brand_a):
    response = staff_client.post(
        reverse("console:station", args=["brand-a"]), {"name": "   ", "tagline": "新口号", "story": ""}
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "此项必填" in body
    assert "name: required" in body
    brand = Brand.objects.get(pk=brand_a.pk)
    assert (brand.name, brand.tagline) == ("品牌甲", "")


def test_station_name_with_html_is_stored_as_text_and_shown_escaped(staff_client, brand_a):
    staff_client.post(
        reverse("console:station", args=["brand-a"]),
        {"name": "<script>alert(1)</script>", "tagline": "", "story": ""},
    )

    assert Brand.objects.get(pk=brand_a.pk).name == "<script>alert(1)</script>"
    body = staff_client.get(reverse("console:dashboard", args=["brand-a"])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_station_logo_upload_stores_a_reencoded_image(staff_client, brand_a, settings):
    response = staff_client.post(
        reverse("console:station_image", args=["brand-a"]), {"which": "logo", "image": png_upload()}
    )

    assert response.status_code == 302
    brand = Brand.objects.get(pk=brand_a.pk)
    assert brand.logo.name.startswith("brands/logo/") and brand.logo.name.endswith(".jpg")
    assert brand.cover.name == ""


def test_station_cover_upload_of_a_text_file_is_422_and_stores_nothing(staff_client, brand_a, settings):
    response = staff_client.post(
        reverse("console:station_image", args=["brand-a"]), {"which": "cover", "image": text_upload()}
    )

    assert response.status_code == 422
    assert "上传的文件不是有效的图片" in response.content.decode()
    assert Brand.objects.get(pk=brand_a.pk).cover.name == ""
    assert _files_under(settings.MEDIA_ROOT) == []


def test_news_add_and_delete(staff_client, brand_a):
    # when staff publish a news item
    response = staff_client.post(
        reverse("console:news_add", args=["brand-a"]), {"title": "春季上新", "body": "新品到店"}
    )

    # then exactly one news row exists with that text
    assert response.status_code == 302
    news = BrandNews.objects.get(brand=brand_a)
    assert (news.title, news.body) == ("春季上新", "新品到店")

    # and when they delete it, it is gone
    response = staff_client.post(reverse("console:news_delete", args=["brand-a", news.pk]))
    assert response.status_code == 302
    assert BrandNews.objects.filter(brand=brand_a).count() == 0


def test_news_without_title_is_422(staff_client, brand_a):
    response = staff_client.post(reverse("console:news_add", args=["brand-a"]), {"title": "", "body": "x"})

    assert response.status_code == 422
    assert "title: required" in response.content.decode()
    assert BrandNews.objects.count() == 0


def test_news_of_another_brand_cannot_be_deleted_through_this_brand(staff_client, brand_a, brand_b):
    other = BrandNews.objects.create(brand=brand_b, title="乙的动态", published_at="2025-01-01T00:00:00Z")

    response = staff_client.post(reverse("console:news_delete", args=["brand-a", other.pk]))

    assert response.status_code == 404
    assert BrandNews.objects.filter(pk=other.pk).exists()


def test_video_link_add_and_media_delete(staff_client, brand_a):
    response = staff_client.post(
        reverse("console:video_add", args=["brand-a"]),
        {"url": "https://v.example.com/123", "caption": "品牌片"},
    )

    assert response.status_code == 302
    media = BrandMedia.objects.get(brand=brand_a)
    assert (media.kind, media.url, media.caption) == ("video", "https://v.example.com/123", "品牌片")

    response = staff_client.post(reverse("console:media_delete", args=["brand-a", media.pk]))
    assert response.status_code == 302
    assert BrandMedia.objects.count() == 0


def test_video_link_that_is_not_http_is_422(staff_client, brand_a):
    response = staff_client.post(
        reverse("console:video_add", args=["brand-a"]), {"url": "javascript:alert(1)", "caption": ""}
    )

    assert response.status_code == 422
    assert "须以 http:// 或 https:// 开头" in response.content.decode()
    assert BrandMedia.objects.count() == 0


def test_station_image_add(staff_client, brand_a):
    response = staff_client.post(
        reverse("console:media_image_add", args=["brand-a"]), {"image": png_upload(), "caption": "门店"}
    )

    assert response.status_code == 302
    media = BrandMedia.objects.get(brand=brand_a)
    assert (media.kind, media.caption) == ("image", "门店")
    assert media.image.name.startswith("brands/media/")


def test_station_image_add_of_text_file_is_422_and_stores_nothing(staff_client, brand_a, settings):
    response = staff_client.post(
        reverse("console:media_image_add", args=["brand-a"]), {"image": text_upload(), "caption": "门店"}
    )

    assert response.status_code == 422
    assert "不是有效的图片文件" in response.content.decode()
    assert BrandMedia.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == []


def test_dashboard_counts_are_computed_from_the_database(staff_client, brand_a, store_a, product_a, category):
    # given: product_a published (1 SKU in stock), one unpublished product with an out-of-stock SKU,
    # an inactive store, and a product of another brand that must not count
    from tests.factories import ProductFactory, StoreFactory

    ProductFactory(
        store=store_a,
        category=category,
        published=False,
        skus=[{"price": "10.00", "stock": 0}, {"price": "12.00", "stock": 3}],
    )
    StoreFactory(brand=brand_a, is_active=False)
    ProductFactory(category=category, skus=[{"price": "1.00", "stock": 0}])

    response = staff_client.get(reverse("console:dashboard", args=["brand-a"]))

    assert response.status_code == 200
    assert response.context["counts"] == {
        "published_count": 1,
        "unpublished_count": 1,
        "stores_count": 2,
        "active_stores_count": 1,
        "skus_out_of_stock_count": 1,
    }
