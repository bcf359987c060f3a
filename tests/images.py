"""Small in-memory upload files for tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_upload(name="p.png", size=(40, 30), color=(200, 30, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def text_upload(name="evil.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<?php echo 'not an image'; ?>", content_type="image/png")
