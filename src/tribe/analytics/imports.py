"""`tribe import-events FILE --format userbehavior`: a public behaviour log (the Taobao UserBehavior format:
user_id, item_id, category_id, behavior pv|cart|fav|buy, unix timestamp; CSV without a header, or with one)
loaded into the event log, so the reports can run on real-scale data.

Users (`ub_<user_id>`, no usable password), categories (`ub-<category_id>`) and items (unpublished products of
the import brand, without SKUs: nothing to sell) are created as needed. Behaviours become events of the import brand:
pv → product_view, cart → add_to_cart, fav → favorite, buy → order_paid (on the product; no money moves).
Malformed rows are reported with their line numbers; by default they are skipped, with `strict=True` the first
one aborts the import and nothing is written (one transaction).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tribe.core.errors import ValidationFailed

BEHAVIOURS = {"pv": "product_view", "cart": "add_to_cart", "fav": "favorite", "buy": "order_paid"}
MAX_ERRORS_SHOWN = 50
MIN_TS, MAX_TS = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01


@dataclass
class ImportReport:
    rows: int = 0
    events: int = 0
    users: int = 0
    items: int = 0
    categories: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "events": self.events, "users_created": self.users,
                "items_created": self.items, "categories_created": self.categories, "skipped": self.skipped,
                "errors": self.errors[:MAX_ERRORS_SHOWN]}


def _open(path: Path):
    if not path.exists():
        raise ValidationFailed(f"{path}: no such file", code="no_file", fields={"file": "missing"})
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115 - closed by caller
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def parse_row(row: list[str]) -> tuple[int, int, int, str, datetime]:
    if len(row) != 5:
        raise ValueError(f"expected 5 columns, got {len(row)}")
    try:
        user_id, item_id, category_id = (int(v) for v in row[:3])
        ts = int(row[4])
    except ValueError:
        raise ValueError("user_id, item_id, category_id and timestamp must be whole numbers") from None
    if min(user_id, item_id, category_id) < 0:
        raise ValueError("ids must not be negative")
    behaviour = row[3].strip()
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"behavior must be pv, cart, fav or buy, not {behaviour!r}")
    if not MIN_TS <= ts <= MAX_TS:
        raise ValueError(f"timestamp {ts} is out of range")
    return user_id, item_id, category_id, behaviour, datetime.fromtimestamp(ts, tz=UTC)


def _import_brand(slug: str):
    from tribe.brands.models import Brand, Store

    brand, _ = Brand.objects.get_or_create(slug=slug, defaults={"name": "UserBehavior 导入", "is_active": False})
    store = Store.objects.filter(brand=brand).order_by("pk").first()
    if store is None:
        store = Store.objects.create(brand=brand, name=f"{brand.name} 店铺", slug=f"{slug}-store", is_active=False)
    return brand, store


def import_userbehavior(path, *, brand_slug: str = "userbehavior", strict: bool = False, batch_size: int = 5000,
                        progress=None) -> ImportReport:
    from django.contrib.auth import get_user_model

    from tribe.catalog.models import Category, Product
    from tribe.core.models import Event

    User = get_user_model()
    report = ImportReport()
    path = Path(path)
    handle = _open(path)
    unusable = make_password(None)
    with handle, transaction.atomic():
        brand, store = _import_brand(brand_slug)
        users: dict[int, int] = {}
        products: dict[int, int] = {}
        categories: dict[int, int] = {}
        pending: list[tuple] = []

        def flush():
            if not pending:
                return
            want_users = {p[0] for p in pending} - set(users)
            if want_users:
                names = {f"ub_{u}": u for u in want_users}
                existing = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
                new = [User(username=n, nickname=f"用户{names[n]}", password=unusable) for n in names
                       if n not in existing]
                User.objects.bulk_create(new, batch_size=1000)
                report.users += len(new)
                existing = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
                users.update({names[n]: pk for n, pk in existing.items()})
            want_cats = {p[2] for p in pending} - set(categories)
            if want_cats:
                slugs = {f"ub-{c}": c for c in want_cats}
                existing = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))
                new = [Category(slug=s, name=f"类目{slugs[s]}"[:40]) for s in slugs if s not in existing]
                Category.objects.bulk_create(new, batch_size=1000)
                report.categories += len(new)
                categories.update({slugs[s]: pk for s, pk in
                                   Category.objects.filter(slug__in=slugs).values_list("slug", "pk")})
            want_items = {(p[1], p[2]) for p in pending if p[1] not in products}
            if want_items:
                names = {f"UB商品 {i}": (i, c) for i, c in want_items}
                existing = dict(Product.objects.filter(store=store, name__in=names).values_list("name", "pk"))
                new = [Product(store=store, brand=brand, category_id=categories[c], name=n) for n, (i, c)
                       in names.items() if n not in existing]
                Product.objects.bulk_create(new, batch_size=1000)
                report.items += len(new)
                products.update({names[n][0]: pk for n, pk in
                                 Product.objects.filter(store=store, name__in=names).values_list("name", "pk")})
            Event.objects.bulk_create([
                Event(name=BEHAVIOURS[b], created_at=at, actor_id=users[u], brand_id=brand.pk, object_type="product",
                      object_id=products[i], source="import", props={"userbehavior": b})
                for u, i, _c, b, at in pending], batch_size=batch_size)
            report.events += len(pending)
            pending.clear()
            if progress:
                progress(report.rows)

        for line_no, row in enumerate(csv.reader(handle), start=1):
            if line_no == 1 and row and row[0].strip().lower() in ("user_id", "userid", "user"):
                continue  # a header line
            if not row or not "".join(row).strip():
                continue
            report.rows += 1
            try:
                pending.append(parse_row(row))
            except ValueError as exc:
                message = f"line {line_no}: {exc}"
                if strict:
                    raise ValidationFailed(f"{path.name} {message}; nothing was imported", code="malformed_row",
                                           fields={"line": line_no}) from None
                report.skipped += 1
                report.errors.append(message)
                continue
            if len(pending) >= batch_size:
                flush()
        flush()
    return report
