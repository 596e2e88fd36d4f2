from django.db import models
from django.utils.translation import pgettext_lazy


class LocalityKind(models.TextChoices):
    CITY = "city", pgettext_lazy("locality kind", "City / province")
    DISTRICT = "district", pgettext_lazy("locality kind", "Urban district")
    COUNTY = "county", pgettext_lazy("locality kind", "Rural district")
    TOWN = "town", pgettext_lazy("locality kind", "Town")
    INDUSTRIAL_PARK = "industrial_park", pgettext_lazy("locality kind", "Industrial park")
    COMMUNE = "commune", pgettext_lazy("locality kind", "Ward / commune")


# Which kinds may sit directly under which: keeps the tree shaped like a real administration.
ALLOWED_PARENT_KINDS = {
    LocalityKind.CITY: set(),
    LocalityKind.DISTRICT: {LocalityKind.CITY},
    LocalityKind.COUNTY: {LocalityKind.CITY},
    LocalityKind.TOWN: {LocalityKind.CITY},
    LocalityKind.INDUSTRIAL_PARK: {
        LocalityKind.CITY,
        LocalityKind.DISTRICT,
        LocalityKind.COUNTY,
        LocalityKind.TOWN,
    },
    # Vietnam's two-level administration (since July 2025) puts communes and wards directly
    # under the province; China and the older Vietnamese structure put them under a district.
    LocalityKind.COMMUNE: {
        LocalityKind.CITY,
        LocalityKind.DISTRICT,
        LocalityKind.COUNTY,
        LocalityKind.TOWN,
    },
}
