"""Browser notifications for mentions (assets/mention_notice.js): MentionNotice turns a new AuthState.notice into
a notification while the page is hidden; NotifyOffer offers them, as a menu item, until the browser has been asked."""

import reflex as rx


class MentionNotice(rx.Component):
    """Shows `notice` (JSON) as a browser notification when it changes while the page is hidden."""

    library = "$/public/mention_notice.js"
    tag = "MentionNotice"
    is_default = False

    notice: rx.Var[str]


class NotifyOffer(rx.Component):
    """In a menu's content: an item holding its children, and a separator after it, while the browser has not been
    asked to notify; choosing the item asks. Nothing once asked (or without notifications)."""

    library = "$/public/mention_notice.js"
    tag = "NotifyOffer"
    is_default = False
