"""Token authentication of the write API: `Authorization: Token <key>`, keys stored hashed."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from newsroom.accounts.services import api_token_find, api_token_record_use

# Query parameters a client might put a token in; a token in a URL ends up in access logs,
# proxies and browser history, so such a request is refused even when the header is fine.
TOKEN_QUERY_PARAMS = frozenset({"token", "access_token", "auth_token", "api_key", "key"})


class ManageTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` only; a token in the query string is refused (401).

    A malformed header, an unknown key, an expired token and a deactivated user's token all
    answer 401 `not_authenticated` with `WWW-Authenticate: Token` (DRF's
    `authenticate_header`). Keys are stored as digests (`newsroom.accounts.models.ApiToken`): a
    malformed key is refused without a query, a well-formed one costs one query and a
    constant-time comparison (docs/reliability.md B6), and its use is recorded at most once a
    minute.
    """

    def authenticate(self, request):
        named = TOKEN_QUERY_PARAMS.intersection(request.query_params)
        if named:
            raise exceptions.AuthenticationFailed(
                "Send the token in the Authorization header, never in the URL.",
                code="not_authenticated",
            )
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = api_token_find(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.is_expired():
            raise exceptions.AuthenticationFailed(
                "This token has expired; make a new one in the admin (API tokens)."
            )
        api_token_record_use(token=token)
        return token.user, token
