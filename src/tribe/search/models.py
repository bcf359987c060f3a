from django.db import models


class SearchDocument(models.Model):
    """The product's index terms (space-separated, see tokenizer). The full-text index over them is
    backend-specific and created by migration: an FTS5 table on SQLite, a GIN expression index on PostgreSQL."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, primary_key=True,
                                   related_name="search_document")
    name_terms = models.TextField(blank=True)
    meta_terms = models.TextField(blank=True)  # brand, store, category path
    body_terms = models.TextField(blank=True)  # subtitle, description, SKU options
    updated_at = models.DateTimeField(auto_now=True)
