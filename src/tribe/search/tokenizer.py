"""Chinese-aware terms for the search index and for queries. Reusable (keyword subscriptions, feed filters).

Index side, for a text: jieba's search-mode words, every CJK character and every CJK bigram, the full pinyin
of each multi-character word, and lowercased latin/digit words. Query side, each jieba word of the query
becomes a group that matches either the word itself or all of its bigrams, so "防辐射服" is found inside
"孕妇防辐射服 银纤维" whichever way jieba splits either text, while a whole-word hit still ranks higher.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
from pypinyin import lazy_pinyin

jieba.setLogLevel(logging.WARNING)
_USERDICT = Path(__file__).with_name("userdict.txt")
_loaded = False

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
MAX_QUERY_GROUPS = 12


def _ensure_dict() -> None:
    global _loaded
    if not _loaded:
        if _USERDICT.exists():
            jieba.load_userdict(str(_USERDICT))
        _loaded = True


def normalize(text: str) -> str:
    """Full-width to half-width, lowercase (NFKC folds ＡＢＣ１２３ and compatibility forms)."""
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=4096)
def _pinyin(word: str) -> str:
    return "".join(lazy_pinyin(word))


def index_terms(text: str) -> list[str]:
    """Terms to index for `text`, in order, with repeats (repeats feed term frequency in ranking)."""
    _ensure_dict()
    text = normalize(text)
    terms: list[str] = []
    for run in CJK_RUN.findall(text):
        words = [w for w in jieba.cut_for_search(run) if len(w) >= 2]
        terms.extend(words)
        terms.extend(run)  # unigrams
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        terms.extend(_pinyin(w) for w in words)
    terms.extend(LATIN_WORD.findall(CJK_RUN.sub(" ", text)))
    return terms


def query_groups(query: str) -> list[list[str]]:
    """The query as AND-ed groups; each group is [word, *its bigrams]: matches the word OR all the bigrams.

    A single CJK character or a latin word is a group of one. Latin words also match as a prefix
    (pinyin "naif" finds 奶粉), which the backends express in their own syntax.
    """
    _ensure_dict()
    text = normalize(query)
    groups: list[list[str]] = []
    seen: set[str] = set()
    for run in CJK_RUN.findall(text):
        for word in jieba.cut(run):
            if word in seen:
                continue
            seen.add(word)
            if len(word) == 1:
                groups.append([word])
            else:
                groups.append([word, *[word[i : i + 2] for i in range(len(word) - 1)]])
    for word in LATIN_WORD.findall(CJK_RUN.sub(" ", text)):
        if word not in seen:
            seen.add(word)
            groups.append([word])
    return groups[:MAX_QUERY_GROUPS]
