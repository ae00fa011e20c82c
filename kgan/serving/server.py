"""Running the app with uvicorn: in the foreground with clean signal handling,
or in a background thread (tests, benchmarks, notebooks).

uvicorn re-raises a SIGINT/SIGTERM after its graceful shutdown when it runs in
the main thread, which turns a requested stop into a non-zero exit. Here
uvicorn runs in a worker thread (where it installs no signal handlers) and
the main thread turns SIGINT/SIGTERM into uvicorn's own graceful shutdown:
stop accepting connections, finish in-flight requests (up to
`graceful_timeout` seconds), return. A second signal forces the exit.
"""

import contextlib
import logging
import signal
import socket
import threading
import time

import uvicorn

logger = logging.getLogger("kgan.serving")


def bind(host="127.0.0.1", port=8501):
    """Binds a listening socket (port 0 picks a free port); errors raise OSError here."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=2048)


def url_of(sock):
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(app, sock, graceful_timeout=10.0):
    """Serves `app` on the bound `sock` until SIGINT or SIGTERM; call from the main thread.

    Returns:
        The name of the signal that stopped the server, or None if it stopped
        by itself.
    """
    server = _server(app, graceful_timeout)
    received = []

    def stop(signum, frame):
        received.append(signal.Signals(signum).name)
        server.force_exit = server.should_exit  # a second signal: no more waiting
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kgan-serve", daemon=True)
    try:
        thread.start()
        announced = False
        while thread.is_alive():
            thread.join(0.2)
            if server.started and not announced:
                logger.info("serving at %s (Ctrl+C to stop)", url_of(sock))
                announced = True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    if received:
        logger.info("stopped by %s", received[0])
    return received[0] if received else None


@contextlib.contextmanager
def running(app, host="127.0.0.1", port=0, startup_timeout=30.0):
    """Runs `app` in a background thread; yields its base URL, stops on exit.

    ```python
    import httpx

    app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
    with kgan.serving.running(app) as url:
        status = httpx.get(f"{url}/v1/models/digits").json()
    ```
    """
    sock = bind(host, port)
    server = _server(app, graceful_timeout=5.0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kgan-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"Expected the server to start within {startup_timeout}s. Received: it did not")
        time.sleep(0.01)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(startup_timeout)
        sock.close()


def _server(app, graceful_timeout):
    config = uvicorn.Config(
        app,
        access_log=False,  # kgan's RequestLog logs each request with its duration
        log_config=None,  # leave logging to the caller (the CLI configures it)
        timeout_graceful_shutdown=graceful_timeout,
        lifespan="off",
    )
    return uvicorn.Server(config)
