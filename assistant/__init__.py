"""A terminal assistant for reading the news with evidence: every claim cites a sentence of an article."""

__version__ = "0.1.0"
