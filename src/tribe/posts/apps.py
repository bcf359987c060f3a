from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "tribe.posts"
    label = "posts"
    verbose_name = "晒图与互动"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .kinds import register_all

        register_all()
