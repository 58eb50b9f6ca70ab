"""Every plain HTTP route in front of Reflex's backend: the REST API, files, downloads, incoming webhooks,
one-click unsubscribe, the security headers, and the inventory of every door with its budget."""
