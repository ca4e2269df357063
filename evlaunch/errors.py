"""The one exception type for user errors, caught at the CLI and API boundary."""


class UserError(Exception):
    """Bad input from the user: the message says what, where and what is allowed.

    The CLI prints the message and exits with status 2; the HTTP API answers 422.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or [message]
        super().__init__(message)


class ArgumentError(UserError):
    """A bad value of a named argument of a domain function, said in the function's own terms
    (``paths = 5: must be from 1 to 10,000,000``); the CLI and the API name their own flag
    or field for ``argument`` instead."""

    def __init__(self, argument: str, value, allowed: str):
        self.argument, self.value, self.allowed = argument, value, allowed
        super().__init__(f"{argument} = {value!r}: {allowed}")
