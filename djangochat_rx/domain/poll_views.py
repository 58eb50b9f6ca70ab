"""What a poll shows (polls.py has the rules): the views of polls, read for a window of messages by
messages.views."""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from djangochat_rx.models import Poll, PollOption, PollVote, User

# A poll's message starts with it (polls.Asked.text): only such messages are looked up in the polls table.
MARK = "📊"


@dataclass(frozen=True)
class OptionView:
    """One answer: its text, how many chose it, and who (empty in an anonymous poll)."""

    text: str
    votes: int
    voters: tuple[str, ...] = ()


@dataclass(frozen=True)
class PollView:
    """A poll as everyone sees it (its message's `poll`): the question, the answers in order, the votes in all."""

    question: str
    options: tuple[OptionView, ...]
    total: int
    anonymous: bool
    closed: bool


def maybe_poll(body: str) -> bool:
    """Whether a message with this text may ask a poll (so a window of messages with none costs no query)."""
    return body.startswith(MARK)


def polls_of(db: Session, message_ids: list[int]) -> dict[int, PollView]:
    """The polls among these messages, by message id (three queries; none when no id is given)."""
    if not message_ids:
        return {}
    polls = {poll.message_id: poll for poll in db.exec(select(Poll).where(col(Poll.message_id).in_(message_ids)))}
    if not polls:
        return {}
    options: dict[int, list[str]] = defaultdict(list)
    for option in db.exec(
        select(PollOption).where(col(PollOption.poll_id).in_(polls)).order_by(PollOption.poll_id, PollOption.position)
    ):
        options[option.poll_id].append(option.text)
    voters: dict[tuple[int, int], list[str]] = defaultdict(list)
    for poll_id, position, username in db.exec(
        select(PollVote.poll_id, PollVote.position, User.username)
        .join(User, col(User.id) == PollVote.user_id)
        .where(col(PollVote.poll_id).in_(polls))
        .order_by(PollVote.voted_at, PollVote.user_id)
    ):
        voters[poll_id, position].append(username)
    views = {}
    for poll_id, poll in polls.items():
        shown = tuple(
            OptionView(text, len(voters[poll_id, n]), () if poll.anonymous else tuple(voters[poll_id, n]))
            for n, text in enumerate(options[poll_id])
        )
        total = sum(option.votes for option in shown)
        views[poll_id] = PollView(poll.question, shown, total, poll.anonymous, poll.closed_at is not None)
    return views
