"""`tribe import-social`: a tiny hand-written dataset in the Ciao format (plain and gzipped)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tribe.catalog.models import Category, Product, Sku
from tribe.cli import main
from tribe.content.models import Review
from tribe.search.models import SearchDocument
from tribe.search.services import SearchParams, search_products
from tribe.social.importer import Skip, import_social
from tribe.social.models import Follow

RATINGS = """userid,productid,categoryid,rating,helpfulness,timestamp
1,100,1,5,4,959670000
2,100,1,4,2,959756400
1,101,2,3,0,1000000000
3,102,2,not-a-number,0,1000000000
3,103,1,0,0,1000000000
1,100,1,2,0,1000000001
3,104,3,5,1
3,101,2,1,0,1100000000
"""

TRUST = """trustor,trustee
1,2
2,1
3,3
1,99
1,2
x,1
3,1
"""

CATEGORIES = "1 DVDs\n2 Books\n3 Beauty\n"

EXPECTED_SKIPS = [
    Skip("ratings", 5, "malformed line"),
    Skip("ratings", 6, "rating out of 1-5"),
    Skip("ratings", 7, "duplicate rating of the same product by the same user"),
    Skip("ratings", 8, "malformed line"),
    Skip("trust", 4, "self-trust"),
    Skip("trust", 5, "unknown user"),
    Skip("trust", 6, "duplicate trust edge"),
    Skip("trust", 7, "malformed line"),
]


def _write(path, text: str):
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["csv", "csv.gz"])
def dataset(request, tmp_path):
    ext = request.param
    return (
        _write(tmp_path / f"ratings.{ext}", RATINGS),
        _write(tmp_path / f"trust.{ext}", TRUST),
        _write(tmp_path / "catalog.txt", CATEGORIES),
    )


def test_import_creates_counts_and_reports_skips_with_line_numbers(db, dataset):
    # given the tiny dataset
    ratings, trust, categories = dataset

    # when it is imported
    report = import_social(ratings, trust, categories, batch_size=2)

    # then every good row became an object and every bad one is reported with its line
    assert dict(report.rows_read) == {"ratings": 8, "trust": 7}
    assert dict(report.created) == {"categories": 2, "users": 3, "products": 2, "reviews": 4, "follows": 3}
    assert report.skipped == EXPECTED_SKIPS
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="ciao_")}
    assert sorted(users) == ["ciao_1", "ciao_2", "ciao_3"]
    assert users["ciao_1"].nickname == "Ciao 用户 1"
    assert not users["ciao_1"].has_usable_password()
    follows = set(Follow.objects.values_list("follower__username", "followed_user__username"))
    assert follows == {("ciao_1", "ciao_2"), ("ciao_2", "ciao_1"), ("ciao_3", "ciao_1")}
    ciao = Category.objects.get(slug="ciao")
    assert list(ciao.children.order_by("slug").values_list("slug", "name")) == [
        ("ciao-1", "DVDs"), ("ciao-2", "Books")
    ]
    product = Product.objects.get(skus__code="ciao-100")
    assert (product.name, product.category.slug, product.published) == ("Ciao 商品 100", "ciao-1", True)
    assert str(Sku.objects.get(code="ciao-100").price) == "1.00"
    review = Review.objects.get(author=users["ciao_1"], product=product)
    assert (review.rating, review.text, review.order_line_id, review.imported_from) == (5, "", None, "ciao")
    assert review.imported_helpfulness == 4
    assert review.created_at == datetime.fromtimestamp(959670000, tz=UTC)
    # and the products are searchable by name and by category
    assert SearchDocument.objects.count() == 2
    assert search_products(SearchParams(q="Books")).count == 1
    assert search_products(SearchParams(q="Ciao")).count == 2


def test_second_run_creates_nothing(db, dataset):
    # given an imported dataset
    import_social(*dataset)

    # when it is imported again
    report = import_social(*dataset)

    # then nothing new is created and the same rows are skipped
    assert sum(report.created.values()) == 0
    assert report.skipped == EXPECTED_SKIPS
    assert (Review.objects.count(), Follow.objects.count(), Product.objects.count()) == (4, 3, 2)


def test_categories_without_names_file_get_placeholder_names(db, dataset):
    ratings, trust, _ = dataset

    import_social(ratings, trust)

    assert sorted(Category.objects.filter(parent__slug="ciao").values_list("name", flat=True)) == [
        "Ciao 分类 1", "Ciao 分类 2"
    ]


def _queries(tmp_path, n: int, first: int) -> int:
    """Import n new users with one rating each and a chain of trust edges between them; count the queries."""
    ids = range(first, first + n)
    ratings = "userid,productid,categoryid,rating,helpfulness,timestamp\n"
    ratings += "".join(f"{i},{i},1,{1 + i % 5},0,1000000000\n" for i in ids)
    trust = "trustor,trustee\n" + "".join(f"{i},{i + 1}\n" for i in ids[:-1])
    r = _write(tmp_path / f"r{first}.csv", ratings)
    t = _write(tmp_path / f"t{first}.csv", trust)
    with CaptureQueriesContext(connection) as ctx:
        report = import_social(r, t, batch_size=1000)
    assert report.created["reviews"] == n and report.created["follows"] == n - 1
    return len(ctx.captured_queries)


def test_queries_per_batch_do_not_grow_with_rows(db, tmp_path):
    # given a database where the Ciao brand, store and category exist
    _queries(tmp_path, 2, first=1)

    # when 10 and then 100 new rows are imported (one batch each)
    small = _queries(tmp_path, 10, first=100)
    large = _queries(tmp_path, 100, first=1000)

    # then the count does not grow with the rows: equal, except that Django splits one bulk INSERT into
    # several on SQLite (999 bound parameters per statement), which adds a few statements, not one per row
    assert 0 <= large - small <= 4
    assert small < 30


def test_cli_prints_report_and_second_run_is_empty(db, dataset, capsys):
    ratings, trust, categories = dataset
    args = ["import-social", "--ratings", str(ratings), "--trust", str(trust), "--categories", str(categories)]

    assert main(args) == 0
    out = capsys.readouterr()
    assert "Created: users 3, follows 3, categories 2, products 2, reviews 4" in out.out
    assert "ratings: malformed line: 2 (line 5, 8)" in out.out
    assert "trust: unknown user: 1 (line 5)" in out.out
    assert "importing trust 100%" in out.err

    assert main(args) == 0
    assert "Created: users 0, follows 0, categories 0, products 0, reviews 0" in capsys.readouterr().out


def test_cli_missing_file_exits_2(db, dataset, tmp_path, capsys):
    _, trust, _ = dataset

    code = main(["import-social", "--ratings", str(tmp_path / "nope.csv.gz"), "--trust", str(trust)])

    assert code == 2
    assert "ratings file not found" in capsys.readouterr().err
    assert not Review.objects.exists()


@pytest.mark.parametrize("which", ["ratings", "trust"])
def test_cli_wrong_header_exits_2(db, dataset, tmp_path, capsys, which):
    ratings, trust, _ = dataset
    bad = _write(tmp_path / "bad.csv", "a,b,c\n1,2,3\n")
    files = {"ratings": ratings, "trust": trust, which: bad}

    code = main(["import-social", "--ratings", str(files["ratings"]), "--trust", str(files["trust"])])

    assert code == 2
    assert f"{which} file {bad} has no header" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username__startswith="ciao_").exists()
