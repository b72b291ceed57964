"""Widgets of the TUI. They display what their screen hands them and post messages; they never call the
service, the store or the LLM."""
