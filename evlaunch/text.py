"""Text from users, made safe to print: names are shown, never interpreted."""

from rich.markup import escape


def shown(name: str) -> str:
    """A name as plain text in rich output: its brackets are not markup and its control
    characters (escape sequences) are shown as codes, never sent to the terminal."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(name))
    return escape(text)
