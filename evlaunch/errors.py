"""The one exception type for user errors, caught at the CLI and API boundary."""


class UserError(Exception):
    """Bad input from the user: the message says what, where and what is allowed.

    The CLI prints the message and exits with status 2; the HTTP API answers 422.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or [message]
        super().__init__(message)
