"""What every HTTP handler of the server does: read a bounded body, infer within the limits.

Shared by TF Serving's REST API (`kgan.serving.app`) and the KServe v2 HTTP
routes (`kgan.serving.v2_http`).
"""

import logging

import anyio

from kgan.serving.repository import ServingError

logger = logging.getLogger("kgan.serving")


async def infer(state, fn):
    """Runs `fn` in a worker thread, within the concurrency and queue limits.

    `state` holds the server's `Pending` (`state.pending`), which the gRPC
    protocols share: the limits are the process's, whatever the protocol.
    """
    with state.pending.slot():
        try:
            return await anyio.to_thread.run_sync(_run, state.pending, fn, limiter=state.pending.limiter)
        except ServingError:
            raise
        except Exception as e:  # never let a model failure take the server down
            logger.exception("inference failed")
            raise ServingError(500, f"Inference failed: {type(e).__name__}: {e}") from None


def _run(pending, fn):
    with pending.running():
        return bad_request(fn)


def bad_request(fn, *args):
    """Calls `fn`; a `ValueError` (invalid input) becomes a 400."""
    try:
        return fn(*args)
    except ValueError as e:
        raise ServingError(400, str(e)) from None


async def read_body(request, limit):
    """The request body, refused with a 413 past `limit` bytes (before reading it if the length is given)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ServingError(413, f"Expected a request body of at most {limit} bytes. Received: {length} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServingError(413, f"Expected a request body of at most {limit} bytes. Received: more")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_version(text):
    """A version from a URL (`None` stays `None`), or a 400 for one that is not an integer."""
    if text is None:
        return None
    if not text.isdigit():
        raise ServingError(400, f"Expected an integer model version. Received: version={text!r}")
    return int(text)
