"""Product images: Pillow-checked uploads through the console; bad files are refused and nothing stored."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.images import png_upload, text_upload

from tribe.catalog.models import ProductImage


def _files_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()) if path.exists() else []


def _upload(client, product, upload):
    return client.post(
        reverse("console:image_add", args=["brand-a", product.pk]), {"image": upload, "alt": "正面"}
    )


def test_upload_stores_image_and_thumbnail(staff_client, product_a, settings):
    response = _upload(staff_client, product_a, png_upload(size=(800, 600)))

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product_a)
    assert (image.width, image.height, image.alt) == (800, 600, "正面")
    assert _files_under(settings.MEDIA_ROOT) == sorted([image.image.name, image.thumb.name])
    assert "图片已上传" in staff_client.get(response.url).content.decode()


def test_upload_of_a_text_file_is_422_and_stores_nothing(staff_client, product_a, settings):
    response = _upload(staff_client, product_a, text_upload())

    assert response.status_code == 422
    body = response.content.decode()
    assert "上传的文件不是有效的图片" in body
    assert "image: not a valid image" in body
    assert ProductImage.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == []


def test_upload_of_a_too_large_file_is_413_and_stores_nothing(staff_client, product_a, settings):
    settings.TRIBE_MAX_IMAGE_BYTES = 1024
    big = SimpleUploadedFile(
        "big.png",
        png_upload(size=(600, 600), color=(1, 2, 3)).read() + b"\0" * 2048,
        content_type="image/png",
    )

    response = _upload(staff_client, product_a, big)

    assert response.status_code == 413
    assert "图片过大" in response.content.decode()
    assert ProductImage.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == []


def test_upload_without_a_file_is_422(staff_client, product_a):
    response = staff_client.post(reverse("console:image_add", args=["brand-a", product_a.pk]), {"alt": "x"})

    assert response.status_code == 422
    assert ProductImage.objects.count() == 0


def test_tenth_image_is_refused(staff_client, product_a):
    for i in range(9):
        ProductImage.objects.create(product=product_a, image=f"products/{i}.jpg", thumb=f"products/{i}_t.jpg")

    response = _upload(staff_client, product_a, png_upload())

    assert response.status_code == 422
    assert "每个商品最多 9 张图片" in response.content.decode()
    assert ProductImage.objects.filter(product=product_a).count() == 9


def test_delete_image_removes_row_and_files(staff_client, product_a, settings):
    _upload(staff_client, product_a, png_upload())
    image = ProductImage.objects.get()

    response = staff_client.post(reverse("console:image_delete", args=["brand-a", product_a.pk, image.pk]))

    assert response.status_code == 302
    assert ProductImage.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == []


def test_delete_image_of_another_product_is_404(staff_client, product_a, store_a, category):
    from tests.factories import ProductFactory

    other = ProductFactory(store=store_a, category=category)
    image = ProductImage.objects.create(product=other, image="products/o.jpg", thumb="products/o_t.jpg")

    response = staff_client.post(reverse("console:image_delete", args=["brand-a", product_a.pk, image.pk]))

    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=image.pk).exists()
