"""Screens of the TUI. Each screen owns its workers: they call the service in a thread and post
messages back (see assistant/tui/messages.py)."""
