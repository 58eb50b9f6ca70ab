"""Browser notifications for mentions (assets/mention_notice.js): MentionNotice turns a new AuthState.notice into
a notification while the page is hidden; NotifyOffer shows its button until the browser has been asked."""

import reflex as rx


class MentionNotice(rx.Component):
    """Shows `notice` (JSON) as a browser notification when it changes while the page is hidden."""

    library = "$/public/mention_notice.js"
    tag = "MentionNotice"
    is_default = False

    notice: rx.Var[str]


class NotifyOffer(rx.Component):
    """Its children (a button) while the browser has not been asked to notify; a click asks."""

    library = "$/public/mention_notice.js"
    tag = "NotifyOffer"
    is_default = False
