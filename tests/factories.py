"""factory_boy factories shared by every test module."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tribe.brands.models import Brand, BrandMembership, Store
from tribe.catalog.models import Category, Product, Sku
from tribe.catalog.services import refresh_summary
from tribe.search.services import reindex_product

PASSWORD = "s3cret-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    nickname = factory.Sequence(lambda n: f"用户{n}")
    city = "上海"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"品牌{n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    kind = Brand.Kind.FLAGSHIP


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"店铺{n}")
    slug = factory.Sequence(lambda n: f"store-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandMembership

    brand = factory.SubFactory(BrandFactory)
    user = factory.SubFactory(UserFactory)
    role = BrandMembership.Role.OPERATOR


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")
    slug = factory.Sequence(lambda n: f"cat-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """A published product with one SKU (price 99.00, stock 10), summary and search index up to date."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    brand = factory.LazyAttribute(lambda o: o.store.brand)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"商品{n}")
    published = True

    @factory.post_generation
    def skus(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted if extracted is not None else [{"price": Decimal("99.00"), "stock": 10}]
        for i, spec in enumerate(specs):
            Sku.objects.create(product=obj, code=f"F{obj.pk}-{i}", options=spec.get("options", {}),
                               price=spec["price"], stock=spec.get("stock", 0))
        refresh_summary(obj)
        reindex_product(obj.pk)
