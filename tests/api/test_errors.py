"""Bad input gets a clear 4xx in the one error shape, and nothing is stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.images import png_upload, text_upload
from tribe.brands.models import BrandNews
from tribe.catalog.models import Product, ProductImage

from .conftest import error_of

pytestmark = pytest.mark.django_db


def product_count_and_name(world):
    return Product.objects.count(), Product.objects.get(pk=world.product_a.pk).name


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "unterminated',
        b"{'name': 'single quotes'}",
        b'{"name": "x",}',
        b"\xff\xfe not utf-8",
        b"[" * 100_000,
    ],
)
def test_malformed_json_is_400_malformed_json(api_as, world, body):
    # given
    before = product_count_and_name(world)
    # when
    response = api_as(world.staff_a).raw("PATCH", f"/products/{world.product_a.id}", body, "application/json")
    # then
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert product_count_and_name(world) == before


def test_a_form_post_to_a_json_endpoint_is_415(api_as, world):
    # given
    before = product_count_and_name(world)
    # when
    response = api_as(world.staff_a).raw(
        "POST", "/products", b"name=x&store=y", "application/x-www-form-urlencoded"
    )
    # then
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert product_count_and_name(world) == before


def test_json_sent_to_an_upload_endpoint_is_415(api_as, world):
    response = api_as(world.staff_a).post(f"/products/{world.product_a.id}/images", {"file": "aGVsbG8="})
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"name": 123}, {"name"}),
        ({"published": "yes"}, {"published"}),
        ({"published": 1}, {"published"}),
        ({"name": ["a"]}, {"name"}),
        ({"name": "ok", "price": "1.00"}, {"price"}),
        ({"name": "a\x00b"}, {"name"}),
    ],
)
def test_wrong_types_are_422_with_the_fields(api_as, world, body, fields):
    # given
    before = product_count_and_name(world)
    # when
    response = api_as(world.staff_a).patch(f"/products/{world.product_a.id}", body)
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], set(error["fields"])) == ("invalid", fields)
    assert product_count_and_name(world) == before


@pytest.mark.parametrize("payload", [[1, 2], "a string", 42, None])
def test_a_body_that_is_not_an_object_is_422(api_as, world, payload):
    # given
    before = product_count_and_name(world)
    # when
    response = api_as(world.staff_a).raw(
        "POST", "/products", __import__("json").dumps(payload), "application/json"
    )
    # then
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert product_count_and_name(world) == before


def test_an_empty_body_is_422_naming_the_missing_fields(api_as, world):
    response = api_as(world.staff_a).raw("POST", "/products", b"", "application/json")
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"body": "Field required"}


def test_nested_wrong_types_name_the_nested_field(api_as, world):
    # when
    response = api_as(world.staff_a).post(
        "/products",
        {
            "store": world.store_a.slug,
            "category": world.category.slug,
            "name": "新品",
            "skus": [{"price": "1.00", "stock": "many"}],
        },
    )
    # then
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"skus.0.stock"}
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/products/424242", None),
        ("patch", "/products/424242", {"name": "x"}),
        ("patch", "/skus/424242", {"stock": 1}),
        ("post", "/products/424242/skus", {"price": "1.00"}),
        ("delete", "/images/424242", None),
        ("delete", "/news/424242", None),
        ("delete", "/media/424242", None),
        ("get", "/brands/nope", None),
        ("patch", "/brands/nope", {"tagline": "x"}),
        ("get", "/stores/nope", None),
        ("get", "/categories/nope", None),
        ("get", "/bundles/nope", None),
        ("get", "/no/such/endpoint", None),
        ("post", "/no/such/endpoint", {"name": "x"}),
    ],
)
def test_unknown_ids_and_paths_are_404(api_as, world, method, path, body):
    # when
    api = api_as(world.operator)
    response = getattr(api, method)(path, body) if body is not None else getattr(api, method)(path)
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_405_in_the_error_shape(anon, db):
    # when
    response = anon.raw("PUT", "/products", b"{}", "application/json")
    # then
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_a_bad_token_on_a_write_is_401(client, world):
    # when
    response = client.patch(
        f"/api/v1/products/{world.product_a.id}",
        '{"name": "x"}',
        content_type="application/json",
        headers={"Authorization": "Bearer nope"},
    )
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert product_count_and_name(world)[1] == "纯棉婴儿连体衣"


def test_session_writes_need_the_csrf_token(world):
    # given: a browser session without the CSRF header
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.staff_a)
    # when
    response = browser.patch(
        f"/api/v1/products/{world.product_a.id}", '{"name": "x"}', content_type="application/json"
    )
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert product_count_and_name(world)[1] == "纯棉婴儿连体衣"


def test_a_non_image_upload_is_422_invalid_image(api_as, world):
    # when
    response = api_as(world.staff_a).upload(f"/products/{world.product_a.id}/images", file=text_upload())
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("invalid_image", {"image": "not an image"})
    assert not ProductImage.objects.exists()


def test_an_upload_without_the_file_is_422(api_as, world):
    response = api_as(world.staff_a).upload(f"/products/{world.product_a.id}/images", alt="no file")
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"file"}
    assert not ProductImage.objects.exists()


def test_a_huge_upload_is_413_image_too_large(api_as, world, settings):
    # given
    settings.TRIBE_MAX_IMAGE_BYTES = 1024
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(buf, "PNG")
    big = SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png")
    assert big.size > 1024
    # when
    response = api_as(world.staff_a).upload(f"/products/{world.product_a.id}/images", file=big)
    # then
    assert response.status_code == 413
    assert error_of(response)["code"] == "image_too_large"
    assert not ProductImage.objects.exists()


def test_a_request_body_over_the_limit_is_413(api_as, world, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    # when
    response = api_as(world.staff_a).patch(f"/products/{world.product_a.id}", {"description": "长" * 200})
    # then
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert Product.objects.get(pk=world.product_a.pk).description == ""


def test_html_in_text_fields_is_stored_as_given_and_returned_as_a_json_string(api_as, anon, world):
    # given
    html = '<script>alert("x")</script><b>暖</b>'
    staff = api_as(world.staff_a)
    # when
    staff.patch(f"/products/{world.product_a.id}", {"name": html, "description": html})
    news = staff.post(f"/brands/{world.brand_a.slug}/news", {"title": html})
    # then
    product = Product.objects.get(pk=world.product_a.pk)
    assert (product.name, product.description) == (html, html)
    assert BrandNews.objects.get().title == html
    response = anon.get(f"/products/{world.product_a.id}")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"] == html
    assert news.json()["title"] == html


def test_too_long_text_is_422_from_the_service_and_nothing_is_stored(api_as, world):
    response = api_as(world.staff_a).patch(f"/products/{world.product_a.id}", {"name": "长" * 121})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"name": "max 120"}
    assert product_count_and_name(world)[1] == "纯棉婴儿连体衣"


def test_a_valid_upload_still_works_after_the_error_cases(api_as, world):
    response = api_as(world.staff_a).upload(f"/products/{world.product_a.id}/images", file=png_upload())
    assert response.status_code == 201


def test_a_broken_multipart_body_is_400(api_as, world):
    response = api_as(world.staff_a).raw(
        "POST", f"/products/{world.product_a.id}/images", b"garbage", "multipart/form-data"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_multipart"
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize("path", ["/brands", "/stores", "/bundles"])
@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 61}, {"page_size": 0}])
def test_every_list_refuses_bad_paging(anon, db, path, params):
    response = anon.get(path, params)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == set(params)


def test_an_unexpected_failure_is_logged_and_still_answered_in_the_error_shape(api_as, world, monkeypatch):
    # given
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("tribe.catalog.services.update_product", broken)
    # when
    response = api_as(world.staff_a).patch(f"/products/{world.product_a.id}", {"name": "x"})
    # then
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "server_error",
        "message": "unexpected error; it has been logged",
        "fields": {},
    }
