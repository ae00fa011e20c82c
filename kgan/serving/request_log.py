"""Request logging as plain ASGI middleware: one line per request."""

import time


class RequestLog:
    """Logs `client method path status duration` for every HTTP request.

    Args:
        app: the ASGI app to wrap.
        logger: a `logging.Logger`; lines go out at INFO.
    """

    def __init__(self, app, logger):
        self.app = app
        self.logger = logger

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = [500]  # stays 500 if the app fails before answering

        async def send_and_record(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            client = scope.get("client") or ("-", 0)
            self.logger.info(
                "%s %s %s %d %.1fms",
                client[0],
                scope["method"],
                scope["path"],
                status[0],
                1000 * (time.perf_counter() - start),
            )
