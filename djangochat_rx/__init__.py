"""DjangoChat RX: a real-time multi-user chat on Reflex, SQLModel and SQLite."""
