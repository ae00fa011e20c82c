"""The page of `kgan serve`: `GET /` (or `/ui`) in a browser shows the served models at work.

| route          | answer                                                                  |
| -------------- | ----------------------------------------------------------------------- |
| `GET /`, `/ui` | the page: one HTML file with inline JS and CSS (`static/index.html`)    |
| `GET /ui/models` | `{"models": [{"name", "versions", "labels", "spec", "card"}]}`        |

The page loads nothing from other hosts (its Content-Security-Policy allows
only the server itself), so it works offline. Besides the list of models,
which TF Serving's REST API does not have, it uses only that API, so it is
also an example of a client:

- `GET /v1/models/NAME/metadata`: the signatures tell the task and the names
  of the noise, label and image inputs;
- a model of task "generate": a grid from the `sample` signature
  (`{"n", "seed", labels}`, noise drawn on the server), and a latent walk
  between two seeds sent to `serving_default` as z vectors. The page draws
  those z as the `sample` signature does (TF's stateless Philox normals, as
  `kgan.inference.philox`), so the ends of the walk are the first images of
  the grids of the two seeds;
- tasks "translate" and "upscale": an uploaded PNG or JPEG goes to the
  task's signature as `{"b64": ...}` with `"output_format": "png"`; the
  result is shown beside it with a download link;
- outputs that are not 2-D images (a voxel GAN's volumes) are shown with
  `GET /v1/models/NAME/grid.png`.

```python
import httpx

app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
with kgan.serving.running(app) as url:                     # open url in a browser
    page = httpx.get(f"{url}/")                              # text/html
    models = httpx.get(f"{url}/ui/models").json()["models"]  # [{"name": "digits", ...}]
```
"""

import functools
from importlib import resources

from fastapi import Request
from fastapi import Response

from kgan.serving import rest

PAGE = "static/index.html"
PATHS = ("/", "/ui")
# Card entries shown on the page; the rest (file paths of the training run, package versions) stays on disk.
CARD_KEYS = ("name", "version", "task", "command", "created", "scores", "parity")
# The browser may load and call nothing but this server (and the page's own data:/blob: images).
POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'"
)


def add_routes(app):
    """Adds the page and its list of models to `app` (see the module docstring)."""
    for path in PATHS:
        app.add_api_route(path, _page, methods=["GET"])
    app.add_api_route("/ui/models", _models, methods=["GET"])


@functools.cache
def page_html():
    """The page's bytes, read once from the package data."""
    return resources.files("kgan.serving").joinpath(PAGE).read_bytes()


def describe(served):
    """A `ServedModel` as the page lists it: name, versions, labels, and its latest version's spec and card."""
    latest = served.versions[served.latest]
    card = latest.card or {}
    return {
        "name": served.name,
        "versions": list(served.versions),
        "labels": dict(served.labels),
        "spec": latest.spec.to_json(),
        "card": {key: card[key] for key in CARD_KEYS if key in card},
    }


async def _page(request: Request):
    headers = {"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"}
    return Response(page_html(), media_type="text/html; charset=utf-8", headers=headers)


async def _models(request: Request):
    body = {"models": [describe(served) for served in request.app.state.models]}
    return Response(rest.dumps(body), media_type="application/json")
