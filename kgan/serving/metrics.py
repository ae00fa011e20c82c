"""Prometheus metrics of a `kgan serve` process: requests, errors and latency per model and protocol.

Served at `GET /metrics` (and at TF Serving's `/monitoring/prometheus/metrics`)
on the REST port, in Prometheus' text format, by the official client library
(`prometheus-client`):

| metric                                   | labels                                    |
| ---------------------------------------- | ----------------------------------------- |
| `kgan_requests_total`                    | model, version, protocol, method, code    |
| `kgan_request_errors_total`              | model, protocol, method, code             |
| `kgan_request_duration_seconds` (histogram) | model, protocol, method                |
| `kgan_pending_requests` (gauge)          |                                           |

`protocol` is `tfserving_rest`, `tfserving_grpc`, `v2_http` or `v2_grpc`;
`method` the call (`predict`, `metadata`, `status`, `infer`, `ready`, ...);
`code` the HTTP status or gRPC status name. Requests for a model the server
does not serve count under `model=""`, so clients cannot grow the label set.
Each app has its own registry (several servers may run in one process).
"""

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import exposition
from prometheus_client import gc_collector
from prometheus_client import platform_collector
from prometheus_client import process_collector

from kgan.serving.request_log import AnsweredRequests

PROTOCOLS = ("tfserving_rest", "tfserving_grpc", "v2_http", "v2_grpc")
# Latency buckets from 1 ms to 10 s: a tiny generator answers in milliseconds, a large batch in seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = exposition.CONTENT_TYPE_LATEST
VERSION = "kgan_version"  # where an HTTP handler leaves the version it resolved (request.state)


class Metrics:
    """The counters of one server, in a registry of its own.

    Args:
        model_names: the served models' names; other names are recorded as "".
        pending: the server's `kgan.serving.limits.Pending`, read by the
            `kgan_pending_requests` gauge at each scrape.
    """

    def __init__(self, model_names, pending=None):
        self.model_names = set(model_names)
        self.registry = CollectorRegistry()
        for collector in (process_collector.ProcessCollector, platform_collector.PlatformCollector,
                          gc_collector.GCCollector):
            collector(registry=self.registry)
        self.requests = Counter(
            "kgan_requests", "Requests answered, by model, version, protocol, method and status code.",
            ["model", "version", "protocol", "method", "code"], registry=self.registry,
        )
        self.errors = Counter(
            "kgan_request_errors", "Requests answered with an error, by model, protocol, method and status code.",
            ["model", "protocol", "method", "code"], registry=self.registry,
        )
        self.latency = Histogram(
            "kgan_request_duration_seconds", "Time from request to answer, by model, protocol and method.",
            ["model", "protocol", "method"], buckets=BUCKETS, registry=self.registry,
        )
        if pending is not None:
            gauge = Gauge("kgan_pending_requests", "Requests running or waiting for inference.", registry=self.registry)
            gauge.set_function(lambda: pending.count)

    def observe(self, model, version, protocol, method, code, seconds, error):
        """Records one answered request."""
        model = model if model in self.model_names else ""
        version = str(version) if model and version is not None else ""
        self.requests.labels(model, version, protocol, method, str(code)).inc()
        if error:
            self.errors.labels(model, protocol, method, str(code)).inc()
        self.latency.labels(model, protocol, method).observe(seconds)

    def exposition(self):
        """The metrics in Prometheus' text format."""
        return exposition.generate_latest(self.registry)


class HttpMetrics(AnsweredRequests):
    """ASGI middleware recording each HTTP request whose route is in `routes`.

    Args:
        app: the ASGI app to wrap.
        metrics: the server's `Metrics`.
        routes: `{endpoint function: (protocol, method)}`; other routes are not counted.
    """

    def __init__(self, app, metrics, routes):
        super().__init__(app)
        self.metrics = metrics
        self.routes = routes

    def record(self, scope, status, seconds):
        # The router has filled in the endpoint and path parameters of this scope by now.
        named = self.routes.get(scope.get("endpoint"))
        if named is not None:
            params = scope.get("path_params", {})
            version = scope.get("state", {}).get(VERSION, params.get("version"))
            self.metrics.observe(params.get("name", ""), version, *named, status, seconds, status >= 400)


def record_version(request, version):
    """Tells the metrics which version answered an HTTP request (the latest, a label's, ...)."""
    setattr(request.state, VERSION, version)
