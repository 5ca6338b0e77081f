"""Pages of one's own account that every kind of user has."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import privacy


@never_cache
@require_GET
@login_required
def personal_data_download(request):
    """The signed-in person's own data, as a JSON file (UU PDP 27/2022); the download is
    recorded."""
    data = privacy.personal_data_export(user=request.user, actor=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"naikkelas-data-pribadi-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
