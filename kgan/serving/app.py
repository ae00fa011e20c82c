"""The FastAPI app: TF Serving's REST API for exported models (one or several by name), plus a PNG grid.

| route                                           | answer                          |
| ----------------------------------------------- | ------------------------------- |
| `GET  /v1/models/NAME[/versions/V]`             | version status                  |
| `GET  /v1/models/NAME[/versions/V]/metadata`    | signature defs                  |
| `POST /v1/models/NAME[/versions/V]:predict`     | `predictions` / `outputs`       |
| `GET  /v1/models/NAME[/versions/V]/grid.png`    | a PNG grid (`n`, `seed`, `labels`, `rows`, `scale`) |
| `GET  /v2/...`, `POST /v2/models/NAME/infer`    | the KServe v2 protocol (`kgan.serving.v2_http`) |
| `GET  /metrics`                                 | Prometheus metrics (`kgan.serving.metrics`) |
| `GET  /`, `/ui`, `/ui/models`                   | the page and its list of models (`kgan.serving.ui`) |

`/v1/models/NAME/labels/LABEL` stands for the version of a label, as in TF
Serving (`ServedModel(labels=...)`). The grid is for models of task
"generate"; other models answer it with a 404.

Errors are `{"error": message}`: 400 for a bad request, 404 for an unknown
model, version or route, 405 for a wrong method, 413 for a body or batch over
the limits, 503 when too many requests are waiting, 500 for a failure inside.
"""

import functools
import logging

from fastapi import FastAPI
from fastapi import Request
from fastapi import Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from kgan.serving import grid
from kgan.serving import metrics as metrics_lib
from kgan.serving import rest
from kgan.serving import ui
from kgan.serving import v2_http
from kgan.serving.handling import bad_request as _bad_request
from kgan.serving.handling import infer as _infer
from kgan.serving.handling import parse_version as _version
from kgan.serving.handling import read_body as _read_body
from kgan.serving.limits import Limits
from kgan.serving.limits import Pending
from kgan.serving.repository import ServedModels
from kgan.serving.repository import ServingError
from kgan.serving.request_log import RequestLog

logger = logging.getLogger("kgan.serving")


def create_app(model, limits=None):
    """Returns the FastAPI app serving `model` within `limits`.

    `model` is a `ServedModel` (`load_model`) or several by name, `ServedModels`
    (`load_models`): each answers at `/v1/models/NAME`, `/v2/models/NAME`, ...
    """
    limits = limits or Limits()
    models = model if isinstance(model, ServedModels) else ServedModels([model])
    app = FastAPI(title=f"kgan serve: {', '.join(models.names)}", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.models, app.state.limits = models, limits
    app.state.pending = Pending(limits)
    app.state.metrics = metrics_lib.Metrics(models.names, app.state.pending)
    named = {_status: ("tfserving_rest", "status"), _metadata: ("tfserving_rest", "metadata"),
             _predict: ("tfserving_rest", "predict"), _grid: ("tfserving_rest", "grid")}
    app.add_middleware(metrics_lib.HttpMetrics, metrics=app.state.metrics, routes=named)
    app.add_middleware(RequestLog, logger=logger)
    app.add_exception_handler(ServingError, _serving_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for prefix in ("/v1/models/{name}", "/v1/models/{name}/versions/{version}", "/v1/models/{name}/labels/{label}"):
        app.add_api_route(prefix, _status, methods=["GET"])
        app.add_api_route(prefix + "/metadata", _metadata, methods=["GET"])
        app.add_api_route(prefix + ":predict", _predict, methods=["POST"])
        app.add_api_route(prefix + "/grid.png", _grid, methods=["GET"])
    named.update(v2_http.add_routes(app))
    for path in ("/metrics", "/monitoring/prometheus/metrics"):  # the second is TF Serving's path
        app.add_api_route(path, _metrics, methods=["GET"])
    ui.add_routes(app)
    return app


async def _status(request: Request):
    name, version, label = _route(request)
    models = request.app.state.models
    number, _ = models.get(name, _version(version), label)
    metrics_lib.record_version(request, number)
    versions = [number] if version is not None or label is not None else list(models.find(name).versions)
    return _json(rest.status_response(versions))


async def _metadata(request: Request):
    name, version, label = _route(request)
    number, exported = request.app.state.models.get(name, _version(version), label)
    metrics_lib.record_version(request, number)
    return _json(rest.metadata_response(name, number, exported.spec))


async def _predict(request: Request):
    name, version, label = _route(request)
    state = request.app.state
    number, exported = state.models.get(name, _version(version), label)
    metrics_lib.record_version(request, number)
    raw = await _read_body(request, state.limits.max_body_bytes)
    spec = exported.spec

    def answer():  # in a worker thread: decoding, inference and encoding keep the event loop free
        predict = rest.parse_predict(rest.parse_json(raw), spec)
        state.limits.check_batch(rest.batch_size_of(predict, spec))
        return rest.dumps(rest.predict_response(rest.run_predict(exported, predict, state.limits), predict, spec))

    return Response(await _infer(state, answer), media_type="application/json")


async def _grid(request: Request):
    name, version, label = _route(request)
    state = request.app.state
    number, generator = state.models.get(name, _version(version), label)
    metrics_lib.record_version(request, number)
    if generator.task != "generate":
        raise ServingError(
            404, f"Expected a model of task 'generate' for grid.png. Received: {name} of task {generator.task!r}"
        )
    query = _bad_request(grid.parse_query, request.query_params, generator)
    state.limits.check_batch(query["n"])
    png = await _infer(state, functools.partial(grid.render, generator, query))
    return Response(png, media_type="image/png")


async def _metrics(request: Request):
    return Response(request.app.state.metrics.exposition(), media_type=metrics_lib.CONTENT_TYPE)


def _route(request):
    # Read from the path only: a handler argument `version` would also bind ?version=.
    params = request.path_params
    return params["name"], params.get("version"), params.get("label")


def _json(body, status=200):
    return Response(rest.dumps(body), status_code=status, media_type="application/json")


async def _serving_error(request, error):
    return _json({"error": error.message}, error.status)


async def _http_error(request, error):
    return _json({"error": str(error.detail)}, error.status_code)


async def _validation_error(request, error):
    return _json({"error": f"Invalid request: {error.errors()}"}, 400)
