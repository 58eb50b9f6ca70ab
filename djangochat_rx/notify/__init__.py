"""After the commit, beyond the sockets: Web Push, mail, email notices and Python hooks, each a subscriber
of the one publisher (actions.publish), never called from a state handler."""
