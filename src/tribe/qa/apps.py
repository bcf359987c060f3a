from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "tribe.qa"
    label = "qa"
    verbose_name = "问答"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from tribe.posts.targets import Target, register

        from .selectors import find_answer

        register(Target("answer", find=find_answer, owner_id=lambda a: a.author_id,
                        url=lambda a: reverse("web:question", args=[a.question_id])))
