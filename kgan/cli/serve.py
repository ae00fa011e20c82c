"""`kgan serve`: TF Serving's REST and gRPC APIs and the KServe v2 protocol for exported models."""

import argparse

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "serve",
        help="serve an export over TF Serving's REST and gRPC APIs and KServe v2 (onnxruntime)",
        description=(
            "Serve an exported model, or every model of an export root (saved_models: each "
            "NAME/VERSION/ folder served as NAME, like TF Serving's model config), with the protocols "
            "of TF Serving and Triton, so their clients work unchanged. On --port (8501): TF "
            "Serving's REST API, the KServe v2 / Open Inference Protocol over HTTP (/v2/health/live, "
            "/v2/models/NAME[/versions/V][/ready|/infer]) and Prometheus metrics (/metrics). On "
            "--grpc-port (8500): TF Serving's PredictionService (Predict, GetModelMetadata) and ModelService "
            "(GetModelStatus), and KServe v2's GRPCInferenceService (needs grpcio: "
            "pip install 'kgan[grpc]'). REST: GET /v1/models/NAME[/versions/V|/labels/L][/metadata], POST "
            "/v1/models/NAME[/versions/V]:predict (row 'instances' or columnar 'inputs'; "
            "signatures serving_default and the model's task: generate, translate or upscale, "
            "plus sample for models that generate from noise). Image inputs take nested lists "
            "or {\"b64\": base64 PNG/JPEG} objects; \"output_format\": \"png\" answers PNGs "
            "the same way. GET /v1/models/NAME/grid.png?n=16&seed=0 gives a PNG grid of a "
            "generator. GET / (or /ui) in a browser: a page to sample, interpolate, translate or "
            "upscale with the model (self-contained, works offline). "
            "onnxruntime runs the model unless --backend saved_model. Stops cleanly "
            "on Ctrl+C or SIGTERM."
        ),
        epilog=examples(
            "kgan serve saved_models/digits                    # every version, port 8501",
            "kgan serve saved_models                           # every model, by name",
            "kgan serve saved_models/digits/2 --port 9000 --providers cuda,cpu",
            "curl -d '{\"signature_name\": \"sample\", \"inputs\": {\"n\": 4, \"seed\": 0}}' "
            "localhost:8501/v1/models/digits:predict",
            "curl -o grid.png 'localhost:8501/v1/models/digits/grid.png?n=64&seed=1'",
            "kgan serve saved_models/digits --version-labels stable=1,canary=2 --grpc-port 9000",
            "curl localhost:8501/v2/models/digits                  # KServe v2 metadata",
            "curl localhost:8501/metrics                           # Prometheus",
            "curl -d '{\"instances\": [{\"b64\": \"'$(base64 -w0 photo.png)'\"}], \"output_format\": \"png\"}' "
            "localhost:8501/v1/models/maps:predict",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="PATH",
                   help="saved_models (every model in it), saved_models/NAME, a version folder, or an .onnx file")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8501, help="port (default: 8501, TF Serving's REST port)")
    p.add_argument("--grpc-port", type=int, default=None,
                   help="gRPC port for TF Serving's and KServe v2's gRPC APIs (default: 8500, TF Serving's; 0: any)")
    p.add_argument("--no-grpc", action="store_true", help="serve REST and KServe v2 HTTP only")
    p.add_argument("--version-labels", default=None,
                   help="TF Serving version labels, e.g. 'stable=1,canary=2' (requests may name a label)")
    p.add_argument("--name", default=None, help="served model name (default: the model folder's name)")
    p.add_argument("--versions", default=None, help="versions to serve, e.g. '1,3' (default: all)")
    p.add_argument("--backend", choices=("onnx", "saved_model"), default="onnx", help="inference backend (default: onnx)")
    p.add_argument("--providers", default=None, help="onnxruntime providers in order, e.g. 'cuda,cpu' (default: best available)")
    p.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads (default: one per core)")
    p.add_argument("--batch-size", type=int, default=256, help="largest batch per model call (default: 256)")
    p.add_argument("--max-batch", type=int, default=1024, help="most images per request; 413 above (default: 1024)")
    p.add_argument("--max-body-mb", type=float, default=16, help="largest request body in MiB; 413 above (default: 16)")
    p.add_argument("--max-concurrency", type=int, default=4, help="inferences at once (default: 4)")
    p.add_argument("--max-pending", type=int, default=64, help="requests in flight before 503 (default: 64)")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"), help="log level")
    p.set_defaults(func=run)


def run(args):
    import logging

    from kgan import serving

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    limits = _limits(args, serving)
    labels = _labels(args.version_labels)
    try:
        if serving.repository.model_folders(args.path):
            _refuse_model_options(args)
            models = serving.load_models(args.path, args.backend, **_load_options(args))
        else:
            models = serving.load_model(
                args.path, args.name, _versions(args.versions), args.backend, labels, **_load_options(args)
            )
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from e
    app = serving.create_app(models, limits)
    grpc_server = _grpc_server(args, serving, app)
    try:
        sock = serving.bind(args.host, args.port)
    except OSError as e:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {e}") from e
    for model in app.state.models:
        versions = ", ".join(str(v) for v in model.versions)
        logging.getLogger("kgan.serving").info("model %s, versions %s, backend %s", model.name, versions, args.backend)
    serving.serve(app, sock, grpc_server=grpc_server)
    return 0


def _grpc_server(args, serving, app):
    """The gRPC server on --grpc-port; None with --no-grpc, or by default when grpcio is missing."""
    import logging

    if args.no_grpc:
        return None
    port = 8500 if args.grpc_port is None else args.grpc_port
    try:
        return serving.create_grpc_server(app, args.host, port)
    except ImportError as e:
        if args.grpc_port is not None:
            raise CLIError(f"--grpc-port: {e}") from e
        logging.getLogger("kgan.serving").warning("gRPC off (REST and KServe v2 HTTP only): %s", e)
        return None
    except OSError as e:
        raise CLIError(f"cannot listen on {args.host}:{port} for gRPC: {e}") from e


def _refuse_model_options(args):
    """--name, --versions and --version-labels are one model's: refused for an export root."""
    given = [flag for flag, value in (("--name", args.name), ("--versions", args.versions),
                                      ("--version-labels", args.version_labels)) if value]
    if given:
        raise CLIError(
            f"Expected {', '.join(given)} with one model folder (saved_models/NAME). Received: the export "
            f"root {args.path}, whose models are each served under their folder's name with all versions"
        )


def _labels(text):
    if not text:
        return None
    try:
        pairs = [item.split("=") for item in text.split(",")]
        return {label.strip(): int(version) for label, version in pairs}
    except ValueError:
        raise CLIError(f"--version-labels expects labels like 'stable=1,canary=2'. Received: {text!r}") from None


def _limits(args, serving):
    try:
        return serving.Limits(
            max_body_bytes=int(args.max_body_mb * 2**20),
            max_batch=args.max_batch,
            max_concurrency=args.max_concurrency,
            max_pending=args.max_pending,
        )
    except ValueError as e:
        raise CLIError(str(e)) from e


def _load_options(args):
    options = {"batch_size": args.batch_size}
    if args.backend == "onnx":
        options["intra_op_threads"] = args.threads
        if args.providers:
            options["providers"] = [p.strip() for p in args.providers.split(",") if p.strip()]
    return options


def _versions(text):
    if not text:
        return None
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise CLIError(f"--versions expects integers like '1,3'. Received: {text!r}") from None
