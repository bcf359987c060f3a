"""Import a public social-rating dataset (Ciao: ratings + trust network) as users, follows, categories,
products and reviews.

Idempotent: every object has a natural key (username `ciao_<id>`, category slug `ciao-<id>`, SKU code
`ciao-<id>`, one imported review per author and product, one follow per pair), so a re-run creates nothing new.
Batched: each batch of rows costs a constant number of queries (existence maps + bulk_create), and is written
in one transaction, so an interrupted import leaves whole batches behind and a re-run completes it.
Prices are placeholders (1.00, stock 0): the dataset has none.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from tribe.brands.models import Brand, Store
from tribe.catalog.models import Category, Product, Sku
from tribe.content.models import Review
from tribe.search.models import SearchDocument
from tribe.search.tokenizer import index_terms

from .models import Follow

SOURCE = "ciao"
PLACEHOLDER_PRICE = Decimal("1.00")
RATING_COLUMNS = ("userid", "productid", "categoryid", "rating")
TRUST_COLUMNS = ("trustor", "trustee")
MAX_EXAMPLES = 10  # skipped rows listed per reason in the printed report

Progress = Callable[[str, float, int], None]  # (phase, fraction 0..1, rows read)


class ImportRefused(Exception):
    """A file is missing or is not the expected kind of CSV; nothing was imported."""


@dataclass(frozen=True)
class Skip:
    file: str  # "ratings" | "trust" | "categories"
    line: int
    reason: str


@dataclass
class ImportReport:
    rows_read: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)

    def skip(self, file: str, line: int, reason: str) -> None:
        self.skipped.append(Skip(file, line, reason))

    def skipped_by_reason(self) -> Counter:
        return Counter((s.file, s.reason) for s in self.skipped)

    def lines(self) -> list[str]:
        out = ["Rows read: " + ", ".join(f"{k} {v}" for k, v in self.rows_read.items())]
        kinds = ("users", "follows", "categories", "products", "reviews")
        out.append("Created: " + ", ".join(f"{k} {self.created[k]}" for k in kinds))
        out.append(f"Skipped: {len(self.skipped)}")
        for (file, reason), n in sorted(self.skipped_by_reason().items()):
            lines = [s.line for s in self.skipped if s.file == file and s.reason == reason][:MAX_EXAMPLES]
            more = ", …" if n > len(lines) else ""
            out.append(f"  {file}: {reason}: {n} (line {', '.join(map(str, lines))}{more})")
        return out


# --- reading -----------------------------------------------------------------------------------------------


class _Reader:
    """CSV rows with their line numbers, and the fraction of the (possibly compressed) file read so far."""

    def __init__(self, path: str, required: tuple[str, ...], label: str):
        p = Path(path)
        if not p.is_file():
            raise ImportRefused(f"{label} file not found: {path}")
        self.size = max(p.stat().st_size, 1)
        self.raw = open(p, "rb")  # noqa: SIM115 — closed by close()
        stream = gzip.open(self.raw) if p.name.endswith(".gz") else self.raw
        self.text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
        self.reader = csv.reader(self.text)
        try:
            header = [h.strip().lower() for h in next(self.reader, [])]
        except (OSError, EOFError, csv.Error) as exc:
            self.close()
            raise ImportRefused(f"{label} file {path} cannot be read: {exc}") from exc
        missing = [c for c in required if c not in header]
        if missing:
            self.close()
            raise ImportRefused(
                f"{label} file {path} has no header with {', '.join(required)} (missing {', '.join(missing)})"
            )
        self.index = {name: i for i, name in enumerate(header)}
        self.width = len(header)

    def fraction(self) -> float:
        return min(self.raw.tell() / self.size, 1.0)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error:
                yield self.reader.line_num, []
                continue
            if row:
                yield self.reader.line_num, row

    def close(self) -> None:
        self.raw.close()


def _int(value: str) -> int:
    value = value.strip()
    if not value.lstrip("-").isdigit():
        raise ValueError(value)
    return int(value)


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the import --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    brand: Brand
    store: Store
    parent: Category
    categories: dict[int, Category]  # dataset category id → Category
    category_names: dict[int, str]
    meta_terms: dict[int, str] = field(default_factory=dict)  # search terms per category


def read_category_names(path: str | None, report: ImportReport) -> dict[int, str]:
    if not path:
        return {}
    p = Path(path)
    if not p.is_file():
        raise ImportRefused(f"categories file not found: {path}")
    names: dict[int, str] = {}
    for number, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        key, _, name = line.strip().partition(" ")
        try:
            names[_int(key)] = name.strip()[:40] or f"Ciao 分类 {key}"
        except ValueError:
            report.skip("categories", number, "malformed line")
    return names


def _context(category_names: dict[int, str]) -> _Context:
    brand, _ = Brand.objects.get_or_create(
        slug="ciao", defaults={"name": "Ciao", "kind": Brand.Kind.FLAGSHIP, "tagline": "Ciao 公开评价数据集"}
    )
    store, _ = Store.objects.get_or_create(slug="ciao-import", defaults={"brand": brand, "name": "Ciao 导入"})
    parent = Category.objects.filter(slug="ciao").first()
    if parent is None:
        parent = Category(slug="ciao", name="Ciao")
        parent.save()
    existing = {c.slug: c for c in Category.objects.filter(parent=parent)}
    categories = {}
    for slug, c in existing.items():
        key = slug.removeprefix("ciao-")
        if key.isdigit():
            categories[int(key)] = c
    return _Context(brand, store, parent, categories, category_names)


def _ensure_categories(ctx: _Context, ids: set[int], report: ImportReport) -> None:
    for cid in sorted(ids - ctx.categories.keys()):  # at most a few dozen, once each
        c = Category(slug=f"ciao-{cid}", name=ctx.category_names.get(cid, f"Ciao 分类 {cid}"), parent=ctx.parent,
                     position=cid)
        c.save()
        ctx.categories[cid] = c
        report.created["categories"] += 1


def _join(text: str) -> str:
    return " ".join(t for t in index_terms(text) if t)


def _meta_terms(ctx: _Context, cid: int) -> str:
    if cid not in ctx.meta_terms:
        c = ctx.categories[cid]
        ctx.meta_terms[cid] = _join(" ".join([ctx.brand.name, ctx.store.name, ctx.parent.name, c.name]))
    return ctx.meta_terms[cid]


def _ensure_users(ids: set[int], report: ImportReport) -> dict[int, int]:
    """Dataset user id → User pk, creating the missing ones."""
    User = get_user_model()
    names = {f"ciao_{i}": i for i in ids}
    found = dict(User.objects.filter(username__in=list(names)).values_list("username", "id"))
    new = [
        User(username=name, password=make_password(None), nickname=f"Ciao 用户 {names[name]}")
        for name in names if name not in found
    ]
    if new:
        User.objects.bulk_create(new)
        found.update(User.objects.filter(username__in=[u.username for u in new]).values_list("username", "id"))
        report.created["users"] += len(new)
    return {names[n]: pk for n, pk in found.items()}


def _ensure_products(ctx: _Context, wanted: dict[int, int], report: ImportReport) -> dict[int, int]:
    """Dataset product id → Product pk for {product id: category id}; new ones get a SKU and a search entry."""
    codes = {f"ciao-{pid}": pid for pid in wanted}
    found = {codes[c]: p for c, p in Sku.objects.filter(code__in=list(codes)).values_list("code", "product_id")}
    missing = [pid for pid in wanted if pid not in found]
    if not missing:
        return found
    products = [
        Product(store=ctx.store, brand=ctx.brand, category=ctx.categories[wanted[pid]], name=f"Ciao 商品 {pid}",
                published=True, min_price=PLACEHOLDER_PRICE, max_price=PLACEHOLDER_PRICE, total_stock=0)
        for pid in missing
    ]
    Product.objects.bulk_create(products)
    if any(p.pk is None for p in products):  # a backend that cannot return ids from a bulk insert
        by_name = dict(Product.objects.filter(store=ctx.store, name__in=[p.name for p in products])
                       .values_list("name", "id"))
        for p in products:
            p.pk = p.id = by_name[p.name]
    pairs = list(zip(missing, products, strict=True))
    Sku.objects.bulk_create(
        [Sku(product_id=p.pk, code=f"ciao-{pid}", price=PLACEHOLDER_PRICE, stock=0) for pid, p in pairs]
    )
    docs = [
        SearchDocument(product_id=p.pk, name_terms=_join(p.name), meta_terms=_meta_terms(ctx, wanted[pid]),
                       body_terms="")
        for pid, p in pairs
    ]
    SearchDocument.objects.bulk_create(docs)
    if connection.vendor == "sqlite":  # mirror into the FTS table, as search.backends.write_terms does per row
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO search_fts(rowid, name_terms, meta_terms, body_terms) VALUES (%s, %s, %s, %s)",
                [(d.product_id, d.name_terms, d.meta_terms, d.body_terms) for d in docs],
            )
    report.created["products"] += len(products)
    found.update({pid: p.pk for pid, p in pairs})
    return found


def _import_ratings(ctx: _Context, reader: _Reader, report: ImportReport, batch_size: int, limit: int | None,
                    progress: Progress | None) -> None:
    col = reader.index
    helpful_col, time_col = col.get("helpfulness"), col.get("timestamp")
    seen: set[tuple[int, int]] = set()

    def parsed() -> Iterator[tuple]:
        for line, row in reader.rows():
            if limit is not None and report.rows_read["ratings"] >= limit:
                return
            report.rows_read["ratings"] += 1
            if len(row) != reader.width:
                report.skip("ratings", line, "malformed line")
                continue
            try:
                user, product, category, rating = (_int(row[col[c]]) for c in RATING_COLUMNS)
                helpful = _int(row[helpful_col]) if helpful_col is not None and row[helpful_col].strip() else 0
                ts = _int(row[time_col]) if time_col is not None and row[time_col].strip() else None
                when = datetime.fromtimestamp(ts, tz=UTC) if ts is not None else None
            except (ValueError, OverflowError, OSError):
                report.skip("ratings", line, "malformed line")
                continue
            if not 1 <= rating <= 5:
                report.skip("ratings", line, "rating out of 1-5")
                continue
            if min(user, product, category) < 0:
                report.skip("ratings", line, "malformed line")
                continue
            if (user, product) in seen:
                report.skip("ratings", line, "duplicate rating of the same product by the same user")
                continue
            seen.add((user, product))
            yield user, product, category, rating, min(max(helpful, 0), 32767), when

    for batch in _batches(parsed(), batch_size):
        with transaction.atomic():
            _ensure_categories(ctx, {r[2] for r in batch}, report)
            users = _ensure_users({r[0] for r in batch}, report)
            wanted: dict[int, int] = {}
            for r in batch:
                wanted.setdefault(r[1], r[2])  # a product's category: its first rating's
            products = _ensure_products(ctx, wanted, report)
            existing = set(
                Review.objects.filter(imported_from=SOURCE, author_id__in=set(users.values()),
                                      product_id__in=set(products.values())).values_list("author_id", "product_id")
            )
            new = []
            for user, product, _, rating, helpful, when in batch:
                key = (users[user], products[product])
                if key in existing:
                    continue
                existing.add(key)
                review = Review(author_id=key[0], product_id=key[1], rating=rating, text="", imported_from=SOURCE,
                                imported_helpfulness=helpful)
                if when is not None:
                    review.created_at = when
                new.append(review)
            Review.objects.bulk_create(new, ignore_conflicts=True)
            report.created["reviews"] += len(new)
        if progress:
            progress("ratings", reader.fraction(), report.rows_read["ratings"])
    if progress:
        progress("ratings", 1.0, report.rows_read["ratings"])


def _import_trust(reader: _Reader, report: ImportReport, batch_size: int, limit: int | None,
                  progress: Progress | None) -> None:
    User = get_user_model()
    users = {
        int(name.removeprefix("ciao_")): pk
        for name, pk in User.objects.filter(username__startswith="ciao_").values_list("username", "id")
        if name.removeprefix("ciao_").isdigit()
    }
    col = reader.index
    seen: set[tuple[int, int]] = set()

    def parsed() -> Iterator[tuple[int, int]]:
        for line, row in reader.rows():
            if limit is not None and report.rows_read["trust"] >= limit:
                return
            report.rows_read["trust"] += 1
            if len(row) != reader.width:
                report.skip("trust", line, "malformed line")
                continue
            try:
                trustor, trustee = _int(row[col["trustor"]]), _int(row[col["trustee"]])
            except ValueError:
                report.skip("trust", line, "malformed line")
                continue
            if trustor == trustee:
                report.skip("trust", line, "self-trust")
                continue
            if trustor not in users or trustee not in users:
                report.skip("trust", line, "unknown user")
                continue
            if (trustor, trustee) in seen:
                report.skip("trust", line, "duplicate trust edge")
                continue
            seen.add((trustor, trustee))
            yield users[trustor], users[trustee]

    for batch in _batches(parsed(), batch_size):
        with transaction.atomic():
            existing = set(
                Follow.objects.filter(follower_id__in={a for a, _ in batch}, followed_user_id__in={b for _, b in batch})
                .values_list("follower_id", "followed_user_id")
            )
            new = [Follow(follower_id=a, followed_user_id=b) for a, b in batch if (a, b) not in existing]
            Follow.objects.bulk_create(new, ignore_conflicts=True)
            report.created["follows"] += len(new)
        if progress:
            progress("trust", reader.fraction(), report.rows_read["trust"])
    if progress:
        progress("trust", 1.0, report.rows_read["trust"])


def import_social(ratings: str, trust: str, categories: str | None = None, *, batch_size: int = 5000,
                  limit: int | None = None, progress: Progress | None = None) -> ImportReport:
    """Load the dataset; raise ImportRefused (before writing anything) for a missing file or a wrong header."""
    if batch_size < 1:
        raise ImportRefused("--batch-size must be at least 1")
    report = ImportReport()
    category_names = read_category_names(categories, report)
    rating_reader = _Reader(os.fspath(ratings), RATING_COLUMNS, "ratings")
    try:
        trust_reader = _Reader(os.fspath(trust), TRUST_COLUMNS, "trust")
    except ImportRefused:
        rating_reader.close()
        raise
    try:
        report.rows_read["ratings"] = 0
        report.rows_read["trust"] = 0
        with transaction.atomic():
            ctx = _context(category_names)
        _import_ratings(ctx, rating_reader, report, batch_size, limit, progress)
        _import_trust(trust_reader, report, batch_size, limit, progress)
    finally:
        rating_reader.close()
        trust_reader.close()
    return report
