from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tribe.brands.models import Brand, Store


class Category(models.Model):
    """A node of the category tree. `path` ("/1/4/9/") makes "this category and everything below" one
    indexed prefix filter instead of a recursive walk."""

    name = models.CharField(_("名称"), max_length=40)
    slug = models.SlugField(unique=True, max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            self.path = path
            Category.objects.filter(pk=self.pk).update(path=path)


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, store__is_active=True)

    def for_cards(self):
        """What a product card needs, in one query plus one for images."""
        return self.select_related("brand", "store").prefetch_related(
            models.Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
        )


class Product(models.Model):
    """A product sold by one store. Price range and stock are summaries of its SKUs, kept by the services
    (refresh_summary) so listings filter and sort without touching SKUs."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("商品名称"), max_length=120)
    subtitle = models.CharField(_("卖点"), max_length=160, blank=True)
    description = models.TextField(_("详情"), blank=True)
    option_names = models.JSONField(default=list, blank=True)  # e.g. ["颜色", "尺码"]
    published = models.BooleanField(_("已上架"), default=False)
    min_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    max_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total_stock = models.IntegerField(default=0)
    sales_count = models.IntegerField(default=0)  # units paid; maintained by orders, never seeded
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["published", "category"], name="product_pub_cat"),
            models.Index(fields=["published", "brand"], name="product_pub_brand"),
            models.Index(fields=["published", "min_price"], name="product_pub_price"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_stock__gte=0), name="product_stock_nonneg"),
            models.CheckConstraint(condition=models.Q(sales_count__gte=0), name="product_sales_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cover(self):
        images = list(self.images.all())
        return images[0] if images else None

    @property
    def in_stock(self) -> bool:
        return self.total_stock > 0


class Sku(models.Model):
    """A sellable variant. `stock` is units on hand for sale; reservations come with orders."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(max_length=64, unique=True)
    options = models.JSONField(default=dict, blank=True)  # {"颜色": "粉色", "尺码": "M"}
    price = models.DecimalField(max_digits=12, decimal_places=2)
    stock = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="sku_stock_nonneg"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="sku_price_nonneg"),
        ]

    def __str__(self) -> str:
        return self.label or self.code

    @property
    def label(self) -> str:
        return " / ".join(str(v) for v in self.options.values())


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumb = models.ImageField(upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Bundle(models.Model):
    """A scenario bundle (情景组合): products across brands for one use scenario, e.g. 新生儿出院套装."""

    name = models.CharField(_("名称"), max_length=80)
    slug = models.SlugField(unique=True, max_length=60)
    scenario = models.CharField(_("适用场景"), max_length=120, blank=True)
    description = models.TextField(_("介绍"), blank=True)
    cover = models.ImageField(upload_to="bundles/", blank=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bundle_items")
    sku = models.ForeignKey(Sku, null=True, blank=True, on_delete=models.SET_NULL)
    quantity = models.PositiveIntegerField(default=1)
    note = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "product"], name="bundle_item_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1, quantity__lte=99), name="bundle_qty_range"),
        ]


class Placement(models.Model):
    """A product placed in a content station (e.g. what the characters of a TV series wear)."""

    station = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="placements")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="placements")
    note = models.CharField(_("出现场景"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "product"], name="placement_unique")]
