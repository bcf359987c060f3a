"""API authentication: `Authorization: Bearer <token>` (tokens from POST /api/v1/auth/token), or the page
session for same-site calls from our own pages (CSRF-checked by ninja's SessionAuth)."""

from ninja.security import HttpBearer, SessionAuth

from tribe.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Resolves the user when credentials are given, lets anonymous readers through otherwise."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is None:
                return None  # a bad token is an error, not anonymity
            request.user = user
            return user
        return request.user if request.user.is_authenticated else "anonymous"


token_auth = TokenAuth()
session_auth = SessionAuth()
REQUIRED = [token_auth, session_auth]
OPTIONAL = [OptionalAuth()]
