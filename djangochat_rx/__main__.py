"""Terminal commands, like Django's manage.py:

    python -m djangochat_rx createsuperuser [--username NAME]
    python -m djangochat_rx promote NAME
    python -m djangochat_rx reset-second-factor NAME  (someone who lost their phone and recovery codes)
    python -m djangochat_rx signup open|invite|closed   (who may create an account; signup.py)
    python -m djangochat_rx password-sign-in on|off     (off: single sign-on only; on: the way back in)
    python -m djangochat_rx serve            (the production start: serve.py; HOST, PORT, WORKERS)
    python -m djangochat_rx prepare-frontend (Reflex's one-time frontend set-up, quietly; make run calls it)
    python -m djangochat_rx backup PATH      (while the app runs; backup.py)
    python -m djangochat_rx restore PATH     (the app stopped)
    python -m djangochat_rx export-instance DIR [--with-passwords]  (everything, as JSON lines: instance.py)
    python -m djangochat_rx import-instance DIR  (an export into an empty instance)
    python -m djangochat_rx import-slack EXPORT.zip  (a Slack workspace's export, history and all; again: resumes)
    python -m djangochat_rx nginx-headers DIR (the security headers for an exported frontend served by nginx)

At a terminal the password is typed twice and never echoed; otherwise (scripts, containers) it is
read from DJANGOCHAT_SUPERUSER_PASSWORD. Messages go to stderr; the exit code is 0 or 1. Changes are made by
the same actions as the pages' (actions/joining.py); none of them has an event to deliver.
"""

import argparse
import getpass
import os
import sys
from pathlib import Path

from djangochat_rx import db
from djangochat_rx.actions import imports, joining
from djangochat_rx.actions import second_factor as factor_actions
from djangochat_rx.domain import accounts, admin, signup
from djangochat_rx.http import headers
from djangochat_rx.infra import backup, instance, serve

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
    reset = commands.add_parser(
        "reset-second-factor", help="turn off someone's two-factor sign-in (a lost phone and lost recovery codes)"
    )
    reset.add_argument("username")
    mode = commands.add_parser("signup", help="choose who may create an account")
    mode.add_argument("mode", choices=signup.MODES)
    passwords = commands.add_parser("password-sign-in", help="allow passwords, or leave single sign-on alone")
    passwords.add_argument("state", choices=("on", "off"))
    commands.add_parser("serve", help="build the frontend and run the app in production mode")
    commands.add_parser("prepare-frontend", help="set up the frontend folder (.web) if it needs it")
    save = commands.add_parser("backup", help="copy the database into a new folder (the app may run)")
    save.add_argument("path", type=Path)
    load = commands.add_parser("restore", help="put a backup back in place of the database (the app stopped)")
    load.add_argument("path", type=Path)
    out = commands.add_parser("export-instance", help="write everything as JSON lines and files into a new folder")
    out.add_argument("path", type=Path)
    out.add_argument("--with-passwords", action="store_true", help="include the password hashes (keep it safe)")
    into = commands.add_parser("import-instance", help="load an export-instance folder into an empty instance")
    into.add_argument("path", type=Path)
    slack = commands.add_parser("import-slack", help="import a Slack export (its zip): people, channels, history")
    slack.add_argument("path", type=Path)
    # The server's own use: an import it started from Admin → Import, run in this process (actions/imports.running).
    slack.add_argument("--run", type=int, help=argparse.SUPPRESS)
    slack.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    headers = commands.add_parser("nginx-headers", help="print nginx add_header lines for an exported frontend")
    headers.add_argument("frontend", type=Path, help="the folder frontend.zip was unzipped into")
    return parser


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def save_backup(path: Path) -> str:
    manifest = backup.backup(path)
    return f"Backed up {_counted(manifest['counts'])} to {path} (schema {manifest['revision']})."


def load_backup(path: Path) -> str:
    manifest, kept = backup.restore(path)
    where = f"; the database it replaced is kept as {kept}" if kept else ""
    return f"Restored {_counted(manifest['counts'])} from {path} (made {manifest['made_at']}){where}."


def _people(manifest: dict) -> str:
    tables = manifest["tables"]
    return f"{_counted({table: tables.get(table, 0) for table in backup.COUNTED})} ({len(tables)} tables)"


def export_instance(path: Path, with_passwords: bool) -> str:
    manifest = instance.export_instance(path, with_passwords)
    hashes = "with" if with_passwords else "without"
    return f"Exported {_people(manifest)} and {manifest['files']} files to {path}, {hashes} password hashes."


def import_instance(path: Path) -> str:
    manifest = instance.import_instance(path)
    done = f"Imported {_people(manifest)} and {manifest['files']} files from {path} (made {manifest['made_at']})."
    if manifest["with_passwords"]:
        return done
    return (
        f"{done} It held no passwords: people sign in with single sign-on or a password reset "
        "(createsuperuser makes an administrator who can hand out reset links)."
    )


def import_slack(path: Path) -> str:
    """Import a Slack export here and now; the report's lines on stdout, the summary as the command's answer."""
    if not path.is_file():
        raise CommandError(f"{path} is not a file: give the zip of a Slack export.")
    run = imports.import_now(path)
    for line in run.report:
        print(line)
    if run.status != imports.DONE:
        raise CommandError(f"Nothing was imported: {run.report[0]}")
    return f"Imported {path.name}: " + ", ".join(run.counts) + "."


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
    user = db.call(joining.create_superuser, *_credentials(username)).value
    return f"Superuser “{user.username}” created."


def nginx_headers(frontend: Path) -> str:
    if not (frontend / "index.html").is_file():
        raise CommandError(f"{frontend} holds no exported frontend: unzip frontend.zip into it first.")
    return headers.nginx_directives(frontend)


def promote(username: str) -> str:
    user = db.call(joining.promote, username).value
    return f"“{user.username}” is now an administrator."


def reset_second_factor(username: str) -> str:
    """The terminal's way back in for an administrator (or anyone) without their app and recovery codes."""
    name = db.call(factor_actions.reset_from_terminal, username).value
    return f"Two-factor sign-in of “{name}” is off: their password alone signs them in."


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve.serve()  # becomes the server
        if args.command == "prepare-frontend":
            serve.prepare_frontend()
            return 0
        if args.command == "nginx-headers":
            print(nginx_headers(args.frontend), end="")  # stdout: the lines go into nginx's configuration
            return 0
        if args.command in ("backup", "restore"):
            done = save_backup(args.path) if args.command == "backup" else load_backup(args.path)
        else:
            db.migrate()
            if args.command == "createsuperuser":
                done = createsuperuser(args.username)
            elif args.command == "signup":
                mode = db.call(joining.set_signup_mode, None, args.mode).value
                done = f"Sign-up is now: {signup.MODE_LABELS[mode]}."
            elif args.command == "password-sign-in":
                allowed = db.call(joining.set_password_sign_in, None, args.state == "on").value
                done = "Passwords sign in again." if allowed else "Passwords are off: only single sign-on signs in."
            elif args.command == "reset-second-factor":
                done = reset_second_factor(args.username)
            elif args.command == "import-slack" and args.run:
                imports.import_for_run(args.run, args.path, args.result)
                done = f"Import {args.run} ran."
            elif args.command == "import-slack":
                done = import_slack(args.path)
            elif args.command == "export-instance":
                done = export_instance(args.path, args.with_passwords)
            elif args.command == "import-instance":
                done = import_instance(args.path)
            else:
                done = promote(args.username)
    except (
        CommandError,
        accounts.AccountError,
        admin.AdminError,
        backup.BackupError,
        imports.ImportBusy,
        instance.InstanceError,
        serve.ServeError,
    ) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nOperation cancelled.", file=sys.stderr)
        return 1
    print(done, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
