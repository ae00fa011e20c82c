"""Plain ASGI middleware that sees every HTTP request's status and duration."""

import time


class AnsweredRequests:
    """Calls `self.record(scope, status, seconds)` after every HTTP request.

    `status` is the response's status, or 500 if the app failed before
    answering. Subclasses say what to do with it (log it, count it).

    Args:
        app: the ASGI app to wrap.
    """

    def __init__(self, app):
        self.app = app

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
            self.record(scope, status[0], time.perf_counter() - start)

    def record(self, scope, status, seconds):
        raise NotImplementedError


class RequestLog(AnsweredRequests):
    """Logs `client method path status duration` for every HTTP request.

    Args:
        app: the ASGI app to wrap.
        logger: a `logging.Logger`; lines go out at INFO.
    """

    def __init__(self, app, logger):
        super().__init__(app)
        self.logger = logger

    def record(self, scope, status, seconds):
        client = scope.get("client") or ("-", 0)
        self.logger.info("%s %s %s %d %.1fms", client[0], scope["method"], scope["path"], status, 1000 * seconds)
