"""Full-text matching over SearchDocument terms, per database.

SQLite: an FTS5 table `search_fts` (rowid = product id) ranked by bm25 with column weights.
PostgreSQL: a GIN expression index over weighted `array_to_tsvector` of the same terms; the query is a
tsquery built from lexemes directly (no text-search parser, so no dependence on the server's locale).
Both return [(product_id, score)] best first, score higher = better.
"""

from __future__ import annotations

from django.db import connection

MAX_MATCHES = 20000

# The weighted vector, as PostgreSQL computes it. Migration 0003 stores it in a generated column `vec`
# (computing it per row at query time cost ~9 ms per search over 240 products); queries read `vec`.
PG_VECTOR_EXPR = (
    "(setweight(array_to_tsvector(string_to_array(name_terms, ' ')), 'A')"
    " || setweight(array_to_tsvector(string_to_array(meta_terms, ' ')), 'B')"
    " || setweight(array_to_tsvector(string_to_array(body_terms, ' ')), 'C'))"
)

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "name_terms, meta_terms, body_terms, tokenize = 'unicode61 remove_diacritics 0')"
)
PG_INDEX_CREATE = f"CREATE INDEX IF NOT EXISTS search_doc_fts ON search_searchdocument USING GIN ({PG_VECTOR_EXPR})"
PG_VECTOR = "vec"
PG_VEC_CREATE = [
    "DROP INDEX IF EXISTS search_doc_fts",
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS vec tsvector"
    f" GENERATED ALWAYS AS ({PG_VECTOR_EXPR}) STORED",
    "CREATE INDEX IF NOT EXISTS search_doc_vec ON search_searchdocument USING GIN (vec)",
]


def _is_latin(term: str) -> bool:
    return term.isascii()


def fts5_query(groups: list[list[str]]) -> str:
    parts = []
    for group in groups:
        head = group[0]
        if _is_latin(head):
            parts.append(f'"{head}"*' if len(head) >= 2 else f'"{head}"')
        elif len(group) == 1:
            parts.append(f'"{head}"')
        else:
            bigrams = " AND ".join(f'"{b}"' for b in group[1:])
            parts.append(f'("{head}" OR ({bigrams}))')
    return " AND ".join(parts)


def tsquery(groups: list[list[str]]) -> str:
    parts = []
    for group in groups:
        head = group[0]
        if _is_latin(head):
            parts.append(f"'{head}':*" if len(head) >= 2 else f"'{head}'")
        elif len(group) == 1:
            parts.append(f"'{head}'")
        else:
            bigrams = " & ".join(f"'{b}'" for b in group[1:])
            parts.append(f"('{head}' | ({bigrams}))")
    return " & ".join(parts)


def write_terms(product_id: int, name: str, meta: str, body: str) -> None:
    """Mirror a SearchDocument into the SQLite FTS table (PostgreSQL indexes the row itself)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("DELETE FROM search_fts WHERE rowid = %s", [product_id])
        cur.execute(
            "INSERT INTO search_fts(rowid, name_terms, meta_terms, body_terms) VALUES (%s, %s, %s, %s)",
            [product_id, name, meta, body],
        )


def delete_terms(product_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM search_fts WHERE rowid = %s", [product_id])


def match(groups: list[list[str]]) -> list[tuple[int, float]]:
    if not groups:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "SELECT rowid, -bm25(search_fts, 10.0, 3.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH %s ORDER BY score DESC LIMIT %s",
                [fts5_query(groups), MAX_MATCHES],
            )
        else:
            cur.execute(
                f"SELECT product_id, ts_rank({PG_VECTOR}, q) AS score "
                f"FROM search_searchdocument, CAST(%s AS tsquery) AS q WHERE {PG_VECTOR} @@ q "
                "ORDER BY score DESC LIMIT %s",
                [tsquery(groups), MAX_MATCHES],
            )
        return [(int(pid), float(score)) for pid, score in cur.fetchall()]
