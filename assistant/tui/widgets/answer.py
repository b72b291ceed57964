"""The answer pane: the question, then the answer as it streams, then the validated answer with markers."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import Static

from assistant.render import answered_by, closest_sentence, score_shown, unanswered_note
from assistant.tui.format import answer_content, clean
from assistant.types import Answer

WELCOME = (
    "Type a question above and press [b]Enter[/].\n\n"
    "The answer streams in here with [b]\\[n][/] markers; the sources panel shows the exact passage behind each. "
    "Press [b]Tab[/] to reach the sources, [b]Enter[/] or a click to read the article at that passage.\n\n"
    "[dim]F1 lists every key.[/]"
)


class AnswerView(VerticalScroll):
    """Scrollable question + answer. The screen feeds it; it holds the text being streamed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._streamed = ""
        self.can_focus = True

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Content.from_markup(WELCOME), id="question")
        yield Static("", id="answer-text")
        yield Static("", id="answer-note")

    def begin(self, question: str) -> None:
        self._streamed = ""
        self.query_one("#question", Static).update(Content.from_markup(f"[b]Q:[/] {escape(clean(question))}"))
        self.query_one("#answer-text", Static).update(Content.from_markup("[dim]searching the articles…[/]"))
        self.query_one("#answer-note", Static).update("")

    def append(self, text: str) -> None:
        self._streamed += text
        self.query_one("#answer-text", Static).update(answer_content(self._streamed))
        self.scroll_end(animate=False)

    def show(self, answer: Answer) -> None:
        """Replace the stream with the validated answer: unsupported sentences are gone, markers clickable."""
        self.query_one("#question", Static).update(Content.from_markup(f"[b]Q:[/] {escape(clean(answer.question))}"))
        known = {c.n for c in answer.citations}
        self.query_one("#answer-text", Static).update(answer_content(answer.answer, known))
        notes = []
        if answer.refused and answer.citations:
            notes.append("The articles do not answer this; the cited sentence shows why.")
        elif answer.refused:
            notes.append("No sentence of the articles answers this. Rephrase, widen the filters (ctrl+t), or ingest more (ctrl+n).")
        if answer.refused and answer.answerability:
            a = answer.answerability
            notes.append(f"Answerability {score_shown(a.score)}: {clean(a.reason)}.")
            if closest := closest_sentence(answer):
                notes.append(f'Closest sentence: "{closest}"')
        if part := unanswered_note(answer):
            notes.append(part)
        if answer.removed:
            notes.append(f"{len(answer.removed)} unsupported sentence(s) removed.")
        notes.append(f"answered by {answered_by(answer)}")
        self.query_one("#answer-note", Static).update(Content("\n".join(notes)))
        self.scroll_home(animate=False)

    def failed(self, message: str) -> None:
        self.query_one("#answer-text", Static).update(Content.from_markup(f"[$error]{escape(message)}[/]"))

    @property
    def streamed(self) -> str:
        return self._streamed
