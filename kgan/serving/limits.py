"""The server's limits: body size, batch size, concurrency and queue length."""

import contextlib
import dataclasses
import threading

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
        max_output_pixels: most output pixels per request (examples x height
            x width) of a model with image inputs, e.g. an upscaler; a 413
            above. 2^24 is one 4096 x 4096 result, 200 MB as float32 RGB.
    """

    max_body_bytes: int = 16 * 2**20
    max_batch: int = 1024
    max_concurrency: int = 4
    max_pending: int = 64
    max_output_pixels: int = 2**24

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected `{field.name}` to be a positive integer. Received: {field.name}={value!r}")

    def check_batch(self, n):
        if n > self.max_batch:
            raise ServingError(413, f"Expected at most {self.max_batch} images per request. Received: {n}")

    def check_output_pixels(self, pixels):
        if pixels > self.max_output_pixels:
            raise ServingError(
                413, f"Expected at most {self.max_output_pixels} output pixels per request. Received: a request "
                f"for {pixels}; send smaller or fewer images (or upscale in tiles: `kgan upscale`)"
            )


class Pending:
    """Counts requests in inference and refuses new ones past `max_pending`.

    One `Pending` is shared by every protocol of a server (REST on the event
    loop, gRPC in its threads), so the limits hold for the process as a whole:
    `slot()` counts a request, `running()` holds one of the `max_concurrency`
    inference places.
    """

    def __init__(self, limits):
        self.limits = limits
        self.count = 0
        self.limiter = anyio.CapacityLimiter(limits.max_concurrency)
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(limits.max_concurrency)

    @contextlib.contextmanager
    def slot(self):
        with self._lock:  # the REST event loop and gRPC threads count here together
            if self.count >= self.limits.max_pending:
                limit = self.limits.max_pending
                raise ServingError(503, f"Expected at most {limit} pending requests. Received: one more; retry later")
            self.count += 1
        try:
            yield
        finally:
            with self._lock:
                self.count -= 1

    @contextlib.contextmanager
    def running(self):
        """Holds one of the `max_concurrency` places for an inference (blocks until one is free)."""
        with self._running:
            yield
