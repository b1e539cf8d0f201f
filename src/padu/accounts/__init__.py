"""Accounts, roles and API tokens (issue 14): who may sign in to the web app and the API.

Passwords are argon2id hashes (pwdlib); API tokens are kept only as SHA-256; every change
is an audit event recorded by the service. :class:`LoginThrottle` is the login form's rate
limit. The web layer decides what each :data:`Role` may see; this package says who is who.
"""

from padu.accounts.model import ROLE_WORDS, ROLES, DemoAccountRefused, Role, TokenInfo, User
from padu.accounts.service import (
    add_user,
    authenticate,
    check_demo,
    disable_user,
    enable_user,
    find_user,
    get_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    token_user,
)
from padu.accounts.throttle import LoginThrottle

__all__ = [
    "ROLES",
    "ROLE_WORDS",
    "DemoAccountRefused",
    "LoginThrottle",
    "Role",
    "TokenInfo",
    "User",
    "add_user",
    "authenticate",
    "check_demo",
    "disable_user",
    "enable_user",
    "find_user",
    "get_user",
    "issue_token",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_password",
    "token_user",
]
