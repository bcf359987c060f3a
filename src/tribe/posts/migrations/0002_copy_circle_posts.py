"""Circle posts used to be circles.CirclePost rows; they are now posts.Post rows with `circle` set. This copies
any existing ones (text, author, time, removed flag, the one tagged product) before CirclePost is dropped."""

from django.db import migrations


def copy(apps, schema_editor):
    CirclePost = apps.get_model("circles", "CirclePost")
    Post = apps.get_model("posts", "Post")
    PostProduct = apps.get_model("posts", "PostProduct")
    for old in CirclePost.objects.order_by("id").iterator():
        post = Post.objects.create(author_id=old.author_id, text=old.text, circle_id=old.circle_id,
                                   removed=old.removed, created_at=old.created_at)
        if old.product_id:
            PostProduct.objects.create(post=post, product_id=old.product_id, position=0)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0001_initial"),
        ("circles", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
