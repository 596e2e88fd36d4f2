"""Materialised-path trees (localities, chain nodes): subtree queries are one `startswith`."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

PATH_DIGITS = 9


def path_segment(pk: int) -> str:
    """Zero-padded so that ordering by path keeps siblings in numeric order ("/…2/" < "/…10/")."""
    return f"{pk:0{PATH_DIGITS}d}/"


def child_path(parent_path: str | None, pk: int) -> str:
    return (parent_path or "/") + path_segment(pk)


class TreeModel(models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<root id>/<child id>/.../<own id>/", ids zero-padded; written on save, never by hand.
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = child_path(self.parent.path if self.parent_id else None, self.pk)
        new_depth = self.parent.depth + 1 if self.parent_id else 0
        if new_path != old_path or new_depth != self.depth:
            model = type(self)
            model._default_manager.filter(pk=self.pk).update(path=new_path, depth=new_depth)
            if old_path:
                # Moving a branch: rewrite every descendant's path prefix in one UPDATE.
                model._default_manager.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
                    depth=F("depth") + (new_depth - self.depth),
                )
            self.path, self.depth = new_path, new_depth

    def clean(self) -> None:
        super().clean()
        if (
            self.parent_id
            and self.pk
            and (
                self.parent_id == self.pk or (self.path and self.parent.path.startswith(self.path))
            )
        ):
            raise ValidationError(
                {"parent": _("An item cannot be placed under itself or its own descendant.")}
            )

    def ancestors_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]
