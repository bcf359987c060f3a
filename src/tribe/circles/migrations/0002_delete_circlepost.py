# Circle posts moved to posts.Post (copied by posts 0002 first).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('circles', '0001_initial'),
        ('posts', '0002_copy_circle_posts'),
    ]

    operations = [
        migrations.DeleteModel(
            name='CirclePost',
        ),
    ]
