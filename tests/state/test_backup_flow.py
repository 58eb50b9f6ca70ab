"""A backup of the running backend's database while people chat over real sockets: every message the
sender saw confirmed before the backup began is in it, and it restores into a working database."""

import asyncio
import sqlite3

from djangochat_rx import settings
from djangochat_rx.infra import backup
from djangochat_rx.state.room import RoomState


async def test_a_backup_while_people_chat_holds_every_confirmed_message(open_tab, make_user, room, tmp_path):
    _, token = make_user()
    sender = await open_tab(f"/rooms/{room.slug}", token=token)
    await sender.wait_for(lambda: sender.var(RoomState, "status") == "ready")

    async def send(n: int) -> None:
        await sender.call(RoomState, "send", form={"message": f"chat {n}"})
        await sender.wait_for(lambda: f"chat {n}" in sender.texts())

    for n in range(30):
        await send(n)
    confirmed = set(sender.texts())
    saving = asyncio.create_task(asyncio.to_thread(backup.backup, tmp_path / "backup", settings.DATABASE_URL))
    n = 30
    while not saving.done():
        await send(n)
        n += 1
    manifest = await saving
    for later in range(n, n + 10):
        await send(later)

    copy = tmp_path / "backup" / backup.DATABASE_FILE
    with sqlite3.connect(copy) as connection:
        saved = {body for (body,) in connection.execute("SELECT body FROM messages WHERE room_id = ?", (room.id,))}
    assert confirmed <= saved
    assert len(saved) < len(sender.texts())  # the copy is of a moment; the chat went on

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'chat.db'}"
    again, kept = backup.restore(tmp_path / "backup", restored_url, tmp_path / "restored" / "uploads")
    assert kept is None and again == manifest
    database_counts = {table: n for table, n in manifest["counts"].items() if table != "files"}
    assert backup.counts(tmp_path / "restored" / "chat.db") == database_counts
