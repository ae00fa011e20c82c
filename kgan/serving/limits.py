"""The server's limits: body size, batch size, concurrency and queue length."""

import contextlib
import dataclasses

import anyio

from kgan.serving.repository import ServingError


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one `kgan serve` process accepts.

    Attributes:
        max_body_bytes: largest request body; larger ones get a 413.
        max_batch: most examples per request (`instances`, input rows, `n`); a 413 above.
        max_concurrency: inferences running at once (worker threads).
        max_pending: requests running or waiting for inference; a 503 above.
    """

    max_body_bytes: int = 16 * 2**20
    max_batch: int = 1024
    max_concurrency: int = 4
    max_pending: int = 64

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected `{field.name}` to be a positive integer. Received: {field.name}={value!r}")

    def check_batch(self, n):
        if n > self.max_batch:
            raise ServingError(413, f"Expected at most {self.max_batch} images per request. Received: {n}")


class Pending:
    """Counts requests in inference and refuses new ones past `max_pending`."""

    def __init__(self, limits):
        self.limits = limits
        self.count = 0
        self.limiter = anyio.CapacityLimiter(limits.max_concurrency)

    @contextlib.contextmanager
    def slot(self):
        # Runs on the event loop thread only, so the counter needs no lock.
        if self.count >= self.limits.max_pending:
            limit = self.limits.max_pending
            raise ServingError(503, f"Expected at most {limit} pending requests. Received: one more; retry later")
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1
