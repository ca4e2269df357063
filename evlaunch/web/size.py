"""The request-size limit, held on the bytes received whatever the transfer encoding.

Content-Length alone is not enough: a chunked body declares no length. This ASGI middleware
reads the body as it streams in, counting, and answers 413 as soon as the count passes the
limit, closing the connection so the rest is never read; a body within the limit (held in
memory, at most ``max_bytes``) is then handed to the app as if it had just arrived.
"""

from ..limits import MAX_BODY_BYTES
from .messages import send_refusal


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` [bytes] with 413."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            shown = (
                f"{int(declared):,}"
                if declared.isdigit()
                else repr(declared[:20].decode("latin-1"))
            )
            await self._refuse(send, f"of {shown} bytes")
            return
        chunks, received, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away: nobody to answer
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_bytes:
                await self._refuse(send, f"of more than {self.max_bytes:,} bytes")
                return
            more = message.get("more_body", False)
        body, delivered = b"".join(chunks), False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()  # after the body: wait for a disconnect, as usual
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send, size: str) -> None:
        message = f"a request body {size}; at most {self.max_bytes:,} are accepted"
        # "connection: close": uvicorn then stops reading the rest
        await send_refusal(send, 413, message, [(b"connection", b"close")])
