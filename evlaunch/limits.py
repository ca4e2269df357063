"""Limits on input from users, in one place so every parser refuses at the same sizes.

Each is far above what a real scenario or request holds and low enough that a hostile
document cannot exhaust memory, the stack or the CPU. The HTTP API applies them to request
bodies (``evlaunch.web.body``); the file parsers may share them.
"""

MAX_BODY_BYTES = 1_000_000  # an HTTP request body [bytes]; a what-if is under 1 KB
MAX_DEPTH = 20  # levels of nested objects and arrays; a scenario uses about 5
MAX_VALUES = 100_000  # values in one document (objects, arrays, strings, numbers, ...)
MAX_NUMBER_CHARS = 40  # characters in one number literal; a float needs at most 24
MAX_STRING_CHARS = 10_000  # characters in one string or key (a name, a source note)
EXCERPT_CHARS = 80  # at most this much of an input value is echoed in a message
