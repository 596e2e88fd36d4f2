"""Abstract bases every domain model builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanco.core.text import search_document


class VersionedModel(models.Model):
    """A row that users edit: optimistic locking through `version`, timestamps."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SearchableModel(models.Model):
    """Keeps a folded copy of the searchable fields so `contains` works alike on every database."""

    search_fields: tuple[str, ...] = ()
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        self.search_text = search_document(*(getattr(self, name) for name in self.search_fields))
