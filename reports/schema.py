"""How the OpenAPI document describes a funder's API key."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class FunderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "reports.api.FunderKeyAuthentication"
    name = "FunderApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A funder's key, sent as `Authorization: Api-Key <key>`.",
        }


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong."}},
    "required": ["detail"],
}
BAD_REQUEST = {
    "type": "object",
    "description": "Each offending parameter or field, with its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def add_error_responses(result, generator, request, public):
    """Every API operation may answer 400 (a parameter named with its messages), 401 (no
    valid key or session), 404 (not in the caller's programmes, or no reporting role) and 429
    (throttled); the document says so, so clients and the contract test can rely on it."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, schema, text in (
                ("400", BAD_REQUEST, "A parameter or field is not valid; it is named."),
                ("401", ERROR, "No valid API key or session: missing, expired or revoked."),
                ("404", ERROR, "Not found, or not among the caller's programmes."),
                ("429", ERROR, "Too many requests for this key; retry later."),
            ):
                responses.setdefault(
                    code,
                    {"description": text, "content": {"application/json": {"schema": schema}}},
                )
    return result
