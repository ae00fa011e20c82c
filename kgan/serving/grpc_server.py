"""The gRPC port: TF Serving's PredictionService and ModelService, and the v2 GRPCInferenceService.

One `grpc.server` answers the three services (`kgan.serving.tf_serving_grpc`,
`kgan.serving.v2_grpc`) for the model of a REST app, with the app's state: the
same model, limits, pending-request count and metrics, so the limits hold for
the whole process. Errors are answered with the gRPC status of their HTTP code
(400 INVALID_ARGUMENT, 404 NOT_FOUND, 413 RESOURCE_EXHAUSTED, 503 UNAVAILABLE,
500 INTERNAL) and the same "Expected ... Received: ..." message. A request over
`max_body_bytes` is refused by gRPC itself (RESOURCE_EXHAUSTED) before it is
read. Needs `grpcio` (`pip install "kgan[grpc]"`).

```python
app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
server = kgan.serving.grpc_server.GrpcServer(app, "127.0.0.1", 0)   # port 0: any free port
server.start()
...                                                                  # clients call server.address
server.stop()
```
"""

import logging
import time
from concurrent import futures

import grpc
from google.protobuf import message as protobuf_message

from kgan.serving import tf_serving_grpc
from kgan.serving import v2_grpc
from kgan.serving.repository import ServingError

logger = logging.getLogger("kgan.serving")

STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    404: grpc.StatusCode.NOT_FOUND,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    503: grpc.StatusCode.UNAVAILABLE,
    500: grpc.StatusCode.INTERNAL,
}
# Threads beyond `max_pending`, for metadata and health calls, which do not count as pending.
SPARE_THREADS = 8


class GrpcServer:
    """The gRPC server of a REST app's model, bound to `host:port` (not started).

    Args:
        app: the app of `kgan.serving.create_app`, whose state it shares.
        host: the address to listen on.
        port: the port; 0 picks a free one (see `port` once bound).

    Raises:
        OSError: if the address cannot be bound.
    """

    def __init__(self, app, host="127.0.0.1", port=8500):
        state = app.state
        limits = state.limits
        threads = limits.max_pending + SPARE_THREADS
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kgan-grpc"),
            # gRPC refuses calls past this with RESOURCE_EXHAUSTED; the shared count answers first.
            maximum_concurrent_rpcs=2 * threads,
            options=[
                ("grpc.max_receive_message_length", limits.max_body_bytes),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),  # a port in use is an error, not shared
            ],
        )
        for module in (tf_serving_grpc, v2_grpc):
            for service, methods in module.METHODS.items():
                handlers = {
                    name: _handler(state, module.PROTOCOL, f"/{service}/{name}", *entry)
                    for name, entry in methods.items()
                }
                self.server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, handlers)])
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        try:
            self.port = self.server.add_insecure_port(target)
        except RuntimeError as e:
            raise OSError(f"cannot listen on {target}: {e}") from None
        if self.port == 0:
            raise OSError(f"cannot listen on {target}")
        self.host = host
        self.address = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    def start(self):
        self.server.start()
        return self

    def stop(self, grace=5.0):
        """Stops accepting calls, lets those in flight finish for up to `grace` seconds, and returns."""
        self.server.stop(grace).wait()


class _Call:
    """What a handler learnt of its request, for the metrics and the log."""

    model = ""
    version = None


def _handler(state, protocol, path, request_class, fn, method):
    def handle(raw, context):
        start, call = time.perf_counter(), _Call()
        code, message = grpc.StatusCode.OK, ""
        try:
            return fn(state, _parse(request_class, raw), call)
        except ServingError as e:
            code, message = STATUS.get(e.status, grpc.StatusCode.INTERNAL), e.message
        except ValueError as e:  # invalid input, as the REST API's 400
            code, message = grpc.StatusCode.INVALID_ARGUMENT, str(e)
        except Exception as e:  # never let a model failure take the server down
            logger.exception("inference failed")
            code, message = grpc.StatusCode.INTERNAL, f"Inference failed: {type(e).__name__}: {e}"
        finally:
            seconds = time.perf_counter() - start
            failed = code != grpc.StatusCode.OK
            state.metrics.observe(call.model, call.version, protocol, method, code.name, seconds, failed)
            logger.info("%s gRPC %s %s %.1fms", context.peer(), path, code.name, 1000 * seconds)
        context.abort(code, message)

    # Requests arrive as bytes (parsed in `handle`, so a malformed one is an INVALID_ARGUMENT).
    return grpc.unary_unary_rpc_method_handler(handle, response_serializer=lambda answer: answer.SerializeToString())


def _parse(request_class, raw):
    try:
        return request_class.FromString(raw)
    except protobuf_message.DecodeError as e:
        name = request_class.DESCRIPTOR.full_name
        message = f"Expected a serialized {name}. Received: {len(raw)} bytes that do not parse ({e})"
        raise ServingError(400, message) from None
