"""Floor 1, below the services and the handlers: user-visible words, HTML helpers, callback data,
time formatting."""
