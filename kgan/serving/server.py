"""Running the app with uvicorn: in the foreground with clean signal handling,
or in a background thread (tests, benchmarks, notebooks).

uvicorn re-raises a SIGINT/SIGTERM after its graceful shutdown when it runs in
the main thread, which turns a requested stop into a non-zero exit. Here
uvicorn runs in a worker thread (where it installs no signal handlers) and
the main thread turns SIGINT/SIGTERM into uvicorn's own graceful shutdown:
stop accepting connections, finish in-flight requests (up to
`graceful_timeout` seconds), return. A second signal forces the exit. The
gRPC server (`kgan.serving.grpc_server`, when given) starts before the REST
port and stops with it, letting its calls in flight finish the same way.
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
    sock = socket.create_server((host, port), family=family, backlog=2048)
    # asyncio sets TCP_NODELAY only on sockets made with proto=IPPROTO_TCP, which create_server's are not;
    # accepted connections inherit it from the listener. Without it, a response's second write (the body
    # after the headers) waits for the client's delayed ACK: ~40 ms per request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def url_of(sock):
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(app, sock, graceful_timeout=10.0, grpc_server=None):
    """Serves `app` on the bound `sock` until SIGINT or SIGTERM; call from the main thread.

    Args:
        app: the app of `create_app`.
        sock: a socket from `bind`.
        graceful_timeout: seconds that requests in flight get to finish.
        grpc_server: a `GrpcServer` of the same app (not started), or None.

    Returns:
        The name of the signal that stopped the server, or None if it stopped
        by itself.
    """
    server = _server(app, graceful_timeout)
    received, grpc_stopped = [], []

    def stop(signum, frame):
        received.append(signal.Signals(signum).name)
        server.force_exit = server.should_exit  # a second signal: no more waiting
        server.should_exit = True
        if grpc_server is not None and not grpc_stopped:
            grpc_stopped.append(grpc_server.server.stop(graceful_timeout))  # returns at once; waited for below

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kgan-serve", daemon=True)
    try:
        if grpc_server is not None:
            grpc_server.start()
            logger.info("gRPC (TF Serving, KServe v2) at %s", grpc_server.address)
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
        if grpc_server is not None:
            (grpc_stopped[0] if grpc_stopped else grpc_server.server.stop(graceful_timeout)).wait()
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


@contextlib.contextmanager
def running_grpc(app, host="127.0.0.1", port=0, grace=5.0):
    """Runs the gRPC server of `app` (TF Serving and KServe v2) in the background; yields its address.

    ```python
    import grpc

    app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
    with kgan.serving.running_grpc(app) as address:      # "127.0.0.1:PORT"
        channel = grpc.insecure_channel(address)
    ```
    """
    server = create_grpc_server(app, host, port).start()
    try:
        yield server.address
    finally:
        server.stop(grace)


def create_grpc_server(app, host="127.0.0.1", port=8500):
    """A `GrpcServer` for `app`, bound and not started; a clear ImportError without grpcio."""
    try:
        from kgan.serving import grpc_server
    except ImportError as e:
        raise ImportError(
            "Expected grpcio and protobuf for the gRPC protocols (TF Serving, KServe v2): "
            f'pip install "kgan[grpc]". Received: {e}'
        ) from e
    return grpc_server.GrpcServer(app, host, port)


def _server(app, graceful_timeout):
    config = uvicorn.Config(
        app,
        access_log=False,  # kgan's RequestLog logs each request with its duration
        log_config=None,  # leave logging to the caller (the CLI configures it)
        timeout_graceful_shutdown=graceful_timeout,
        lifespan="off",
    )
    return uvicorn.Server(config)
