import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render_for_coordinator(coordinator_client, world):
    for name, args in [
        ("home", []),
        ("org:locality-list", []),
        ("org:locality-detail", [world["district_a"].pk]),
        ("org:locality-edit", [world["district_a"].pk]),
        ("org:locality-create", []),
        ("org:department-list", []),
        ("accounts:user-list", []),
        ("accounts:user-create", []),
        ("accounts:profile", []),
        ("audit-log", []),
        ("industries:industry-list", []),
    ]:
        response = coordinator_client.get(reverse(name, args=args))
        assert response.status_code == 200, name
