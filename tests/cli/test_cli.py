import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_tasks import task

from tests.factories import ProductFactory
from tribe.catalog.models import Product
from tribe.cli import build_parser, main
from tribe.demo.seed import is_seeded
from tribe.search.models import SearchDocument
from tribe.search.services import SearchParams, search_products

User = get_user_model()
COMMANDS = [
    "demo", "serve", "worker", "migrate", "seed", "reindex", "createoperator", "manage", "import-social", "bench",
    "simulate", "feed-rebuild", "import-events", "report", "vapid-keys", "send-digests",
]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])

    assert done.value.code == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    ([\w-]+)", out, flags=re.MULTILINE)
    assert listed == COMMANDS


@pytest.mark.parametrize(
    "argv",
    [[c, "--help"] for c in COMMANDS if c != "manage"] + [["bench", "api", "--help"], ["bench", "feed", "--help"]],
)
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)

    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: tribe ")


def test_no_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as done:
        main([])

    assert done.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_serve_and_bench_defaults():
    serve = build_parser().parse_args(["serve"])
    assert (serve.host, serve.port, 2 <= serve.workers <= 4) == ("127.0.0.1", 8000, True)
    bench = build_parser().parse_args(["bench", "api", "--json", "--duration", "5"])
    assert (bench.json, bench.duration, bench.concurrency, bench.url) == (True, 5.0, 8, None)


def test_seed_refuses_a_database_that_has_products(db, capsys):
    # given a catalogue with a product in it
    ProductFactory(name="真实商品")

    # when
    code = main(["seed"])

    # then nothing is added and the refusal says why
    assert code == 2
    assert "refusing to seed: the database already has 1 products" in capsys.readouterr().err
    assert list(Product.objects.values_list("name", flat=True)) == ["真实商品"]
    assert not is_seeded()


def test_createoperator_makes_a_platform_operator(db, capsys):
    assert main(["createoperator", "boss", "--password", "long-enough-pass-9"]) == 0

    boss = User.objects.get(username="boss")
    assert boss.is_platform_operator and boss.is_superuser
    assert boss.check_password("long-enough-pass-9")
    assert "Created platform operator boss." in capsys.readouterr().out


def test_createoperator_refuses_a_weak_password_or_a_taken_name(db, capsys):
    assert main(["createoperator", "boss", "--password", "123"]) == 2
    assert not User.objects.filter(username="boss").exists()
    assert "password:" in capsys.readouterr().err

    User.objects.create(username="taken")
    assert main(["createoperator", "taken", "--password", "long-enough-pass-9"]) == 2
    assert "username: already taken" in capsys.readouterr().err


def test_createoperator_without_a_terminal_needs_password(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    assert main(["createoperator", "boss"]) == 2
    assert "no --password given" in capsys.readouterr().err
    assert not User.objects.filter(username="boss").exists()


def test_reindex_rebuilds_the_search_index(db, capsys):
    # given a product whose index entry was lost
    product = ProductFactory(name="婴儿配方奶粉 900g")
    SearchDocument.objects.all().delete()

    # when
    assert main(["reindex"]) == 0

    # then it is found again
    assert "Reindexed 1 products." in capsys.readouterr().out
    assert [p.id for p in search_products(SearchParams(q="奶粉")).items] == [product.id]


@task()
def write_marker(path: str) -> None:
    Path(path).write_text("done")


def test_worker_runs_queued_tasks(transactional_db, tmp_path):
    # given a task waiting in the database queue
    marker = tmp_path / "marker"
    write_marker.enqueue(str(marker))

    # when the worker drains the queue
    assert main(["worker", "--batch", "--no-startup-delay"]) == 0

    # then the task ran, and so did the periodic jobs that were due (a batch run enqueues them once)
    assert marker.read_text() == "done"
    from django_tasks_db.models import DBTaskResult

    ran = set(DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True))
    assert {"tribe.orders.tasks.sweep_orders", "tribe.aftersales.tasks.retry_pending_refunds"} <= ran


def test_manage_passes_through_to_django(capsys):
    with pytest.raises(SystemExit) as done:
        main(["manage", "check", "--fail-level", "ERROR", "--help"])

    assert done.value.code == 0
    assert "usage: tribe manage check" in capsys.readouterr().out
