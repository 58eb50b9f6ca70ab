"""Terminal commands, like Django's manage.py:

    python -m djangochat_rx createsuperuser [--username NAME]
    python -m djangochat_rx promote NAME

At a terminal the password is typed twice and never echoed; otherwise (scripts, containers) it is
read from DJANGOCHAT_SUPERUSER_PASSWORD. Messages go to stderr; the exit code is 0 or 1.
"""

import argparse
import getpass
import os
import sys

from djangochat_rx import accounts, admin, db

PASSWORD_ENV = "DJANGOCHAT_SUPERUSER_PASSWORD"


class CommandError(Exception):
    """A problem with how the command was run; its message is shown as is."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m djangochat_rx", description="DjangoChat RX administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("createsuperuser", help="create an administrator account")
    create.add_argument("--username", help="the new administrator's username (asked for if not given)")
    promote = commands.add_parser("promote", help="make an existing user an administrator")
    promote.add_argument("username")
    return parser


def _credentials(username: str | None) -> tuple[str, str, str]:
    """Username, password and its confirmation: asked for at a terminal, else from --username and the environment."""
    if sys.stdin.isatty():
        username = username or input("Username: ")
        return username, getpass.getpass("Password: "), getpass.getpass("Password (again): ")
    if not username:
        raise CommandError("Give --username when not running at a terminal.")
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        raise CommandError(f"Set {PASSWORD_ENV} when not running at a terminal.")
    return username, password, password


def createsuperuser(username: str | None) -> str:
    user = db.call(admin.create_superuser, *_credentials(username))
    return f"Superuser “{user.username}” created."


def promote(username: str) -> str:
    user = db.call(admin.promote, username)
    return f"“{user.username}” is now an administrator."


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db.migrate()
    try:
        done = createsuperuser(args.username) if args.command == "createsuperuser" else promote(args.username)
    except (CommandError, accounts.AccountError, admin.AdminError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nOperation cancelled.", file=sys.stderr)
        return 1
    print(done, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
