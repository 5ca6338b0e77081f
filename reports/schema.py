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
