"""The page of `kgan serve` (`GET /`) in a real browser: Debian's headless Chromium driven by Playwright.

Chromium comes from the system's packages (`sh tools/install_browser.sh`), Playwright from the test extra;
`playwright install` (which downloads a browser) is never needed. The servers are real (uvicorn on
loopback); every request the page makes is recorded, and any to another host is refused and fails the test.
"""

import base64
import io
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse

import httpx
import keras
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kgan import export
from kgan import inference
from kgan import latent
from kgan import serving
from kgan import specs
from kgan.inference import inputs as conversions
from kgan.inference import philox
from kgan.serving import ui

CHROMIUM = "/usr/bin/chromium"
INSTALL = "sh tools/install_browser.sh"
TIMEOUT_MS = 20_000
UPSCALE_SPEC = specs.ModelSpec(
    "upscale",
    (specs.TensorSpec("low", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
    (specs.TensorSpec("images", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
    scale=2,
)


def launch(playwright, executable=CHROMIUM):
    """Headless Chromium from the system's packages, or a failure saying how to install it."""
    if not os.path.exists(executable):
        pytest.fail(f"Expected headless Chromium at {executable} for the browser tests: run `{INSTALL}` "
                    f"(apt-get install chromium). Received: no such file")
    return playwright.chromium.launch(executable_path=executable)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        pytest.fail(f'Expected Playwright for the browser tests: pip install ".[test]", then `{INSTALL}`. Received: {e}')
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Page:
    """A fresh browser page on a served model; records every request and refuses those to other hosts."""

    def __init__(self, browser, url):
        self.context = browser.new_context(accept_downloads=True)
        self.requests, self.refused = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url + "/")
        self.page.wait_for_function("() => document.getElementById('status').textContent.endsWith('ready')")

    def _route(self, route):
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def images(self, selector):
        return self.page.eval_on_selector_all(
            selector, "imgs => imgs.map(i => ({src: i.src, width: i.naturalWidth, height: i.naturalHeight}))"
        )

    def status(self):
        return self.page.inner_text("#status")

    def check_loopback_only(self):
        hosts = {urllib.parse.urlsplit(u).hostname for u in self.requests if u.startswith(("http:", "https:"))}
        assert not self.refused and hosts == {"127.0.0.1"}, (self.refused, sorted(set(self.requests)))

    def close(self):
        self.context.close()


def _pixels(src):
    """The pixels of a `data:image/png;base64,...` image."""
    assert src.startswith("data:image/png;base64,"), src[:40]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))))


def _uint8(images, value_range=(-1.0, 1.0)):
    pixels = conversions.to_uint8(images, value_range)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def _png(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _upscaler():
    keras.utils.set_random_seed(3)
    low = keras.Input((None, None, 3), name="low")
    x = keras.layers.UpSampling2D(2)(low)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    images = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
    return keras.Model(low, images, name="sr")


@pytest.fixture(scope="module")
def sr_export(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui_models")
    export.export_network(_upscaler(), UPSCALE_SPEC, root, name="sr")
    return root / "sr"


def _serve(path):
    return serving.running(serving.create_app(serving.load_model(path)))


# ---- The routes, without a browser --------------------------------------------------------------


def test_page_route_is_self_contained_html(exports):
    client = TestClient(serving.create_app(serving.load_model(exports / "digits")))
    for path in ("/", "/ui"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "connect-src 'self'" in response.headers["content-security-policy"]
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.content == ui.page_html()
    html = response.text
    assert "<script>" in html and "<style>" in html
    # Nothing from other hosts: no absolute or protocol-relative URLs, no external scripts or styles.
    for pattern in ("http://", "https://", "src=\"//", "href=\"//", "<script src", "<link rel=\"stylesheet", "@import"):
        assert pattern not in html, pattern
    assert client.get("/ui/nothing").status_code == 404


def test_models_route_lists_the_served_model(exports):
    model = serving.load_model(exports / "digits", labels={"stable": 1})
    client = TestClient(serving.create_app(model))
    (listed,) = client.get("/ui/models").json()["models"]
    assert listed["name"] == "digits" and listed["versions"] == [1, 2] and listed["labels"] == {"stable": 1}
    assert specs.ModelSpec.from_json(listed["spec"]) == model.versions[2].spec
    assert listed["spec"]["inputs"][1]["num_classes"] == 3
    assert listed["card"]["name"] == "digits" and listed["card"]["version"] == 2
    assert set(listed["card"]) <= set(ui.CARD_KEYS)  # no file paths of the machine that trained it


# ---- In the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits_url(exports):
    with _serve(exports / "digits") as url:
        yield url


def test_grid_class_and_seed(browser, digits_url, exports):
    runner = inference.load(exports / "digits")  # version 2, as served
    page = Page(browser, digits_url)
    try:
        tiles = page.images("#grid img")
        assert len(tiles) == 16 and all((t["width"], t["height"]) == (8, 8) for t in tiles)
        expected = _uint8(runner.sample(16, 0, [i % 3 for i in range(16)]))  # the classes in turn
        np.testing.assert_array_equal(np.stack([_pixels(t["src"]) for t in tiles]), expected)

        page.page.fill("#grid-seed", "5")
        page.page.click("#grid-button")
        page.page.wait_for_function("() => document.getElementById('grid').dataset.seed === '5'")
        reseeded = page.images("#grid img")
        assert [t["src"] for t in reseeded] != [t["src"] for t in tiles]
        np.testing.assert_array_equal(
            np.stack([_pixels(t["src"]) for t in reseeded]), _uint8(runner.sample(16, 5, [i % 3 for i in range(16)]))
        )

        page.page.select_option("#class", "2")
        page.page.select_option("#grid-n", "4")  # redraws
        page.page.wait_for_function("() => document.querySelectorAll('#grid img').length === 4")
        twos = np.stack([_pixels(t["src"]) for t in page.images("#grid img")])
        np.testing.assert_array_equal(twos, _uint8(runner.sample(4, 5, [2] * 4)))
        assert page.status() == "digits: ready"
        page.check_loopback_only()
    finally:
        page.close()


def test_interpolation_ends_at_the_seeds_samples(browser, digits_url, exports):
    runner = inference.load(exports / "digits")
    page = Page(browser, digits_url)
    try:
        page.page.select_option("#class", "1")
        page.page.wait_for_function("() => document.getElementById('status').textContent.endsWith('ready')")
        page.page.fill("#walk-a", "3")
        page.page.fill("#walk-b", "7")
        page.page.fill("#walk-steps", "5")
        page.page.click("#walk-button")
        page.page.wait_for_function("() => document.getElementById('walk').dataset.seeds === '3,7'")
        walk = page.images("#walk img")
        assert len(walk) == 5 and all((t["width"], t["height"]) == (8, 8) for t in walk)
        pixels = np.stack([_pixels(t["src"]) for t in walk]).astype(int)
        z = latent.slerp(philox.stateless_normal(1, 8, 3)[0], philox.stateless_normal(1, 8, 7)[0], 5)
        expected = _uint8(runner(z, labels=[1] * 5)).astype(int)
        # The same z as the `sample` signature's (float32 rounding of sin/log may differ by an ulp).
        assert np.abs(pixels - expected).max() <= 1
        assert np.abs(pixels[0] - _uint8(runner.sample(1, 3, [1]))[0]).max() <= 1
        assert np.abs(pixels[-1] - _uint8(runner.sample(1, 7, [1]))[0]).max() <= 1
        assert np.abs(pixels[0] - pixels[-1]).max() > 10

        page.page.select_option("#class", "all")  # a walk per class, one row each
        page.page.click("#walk-button")
        page.page.wait_for_function("() => document.querySelectorAll('#walk .row').length === 3")
        assert len(page.images("#walk img")) == 15

        page.page.fill("#walk-steps", "1")
        page.page.click("#walk-button")
        page.page.wait_for_function("() => document.getElementById('status').className === 'error'")
        assert page.status() == "Expected an integer in [2, 32] for Steps. Received: 1"
        page.check_loopback_only()
    finally:
        page.close()


def test_unconditional_model_has_no_class_choice(browser, exports):
    runner = inference.load(exports / "noise")
    with _serve(exports / "noise") as url:
        page = Page(browser, url)
        try:
            assert page.page.is_hidden("#class-label")
            grid = np.stack([_pixels(t["src"]) for t in page.images("#grid img")])
            np.testing.assert_array_equal(grid, _uint8(runner.sample(16, 0)))
            page.page.fill("#walk-steps", "3")
            page.page.click("#walk-button")
            page.page.wait_for_function("() => document.getElementById('walk').dataset.seeds === '0,1'")
            walk = np.stack([_pixels(t["src"]) for t in page.images("#walk img")]).astype(int)
            assert walk.shape == (3, 8, 8)
            assert np.abs(walk[0] - grid[0]).max() <= 1  # seed 0's walk starts at seed 0's first sample
            assert np.abs(walk[-1] - _uint8(runner.sample(1, 1))[0]).max() <= 1
            page.check_loopback_only()
        finally:
            page.close()


def test_page_noise_is_the_sample_signatures(browser, digits_url):
    page = Page(browser, digits_url)
    try:
        for n, dim, seed in [(3, 8, 0), (2, 7, 12345), (1, 100, 2**40 + 5), (5, 3, 2**63 - 1)]:
            drawn = np.array(page.page.evaluate(f"kganPage.philoxNormal({n}, {dim}, {seed}n)"), "float32")
            expected = philox.stateless_normal(n, dim, seed)
            assert drawn.shape == expected.shape
            np.testing.assert_array_max_ulp(drawn, expected, maxulp=1)
        a, b = philox.stateless_normal(2, 16, 9)
        for method in ("slerp", "lerp"):
            walk = np.array(page.page.evaluate(f"kganPage.{method}({a.tolist()}, {b.tolist()}, 6)"), "float32")
            np.testing.assert_allclose(walk, getattr(latent, method)(a, b, 6), rtol=1e-6, atol=1e-6)
            np.testing.assert_array_equal(walk[[0, -1]], np.stack([a, b]))  # the ends are exact
    finally:
        page.close()


def test_volumes_are_shown_as_the_servers_grid(browser, tmp_path):
    from tiny_networks import voxel_generator

    export.export_generator(voxel_generator(), tmp_path, name="voxels")
    with _serve(tmp_path / "voxels") as url:
        page = Page(browser, url)
        try:
            assert page.page.is_hidden("#walk-part") and page.page.is_hidden("#class-label")
            page.page.wait_for_function("() => document.querySelector('#grid img').naturalWidth > 0")
            (grid,) = page.images("#grid img")
            assert grid["src"] == f"{url}/v1/models/voxels/grid.png?n=16&seed=0"
            expected = Image.open(io.BytesIO(httpx.get(grid["src"]).content))
            assert (grid["width"], grid["height"]) == expected.size
            page.check_loopback_only()
        finally:
            page.close()


def _upload(page, name, data, mime="image/png"):
    page.page.set_input_files("#upload", files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_upscale_an_upload_and_download_it(browser, sr_export, tmp_path):
    photo = np.random.default_rng(0).integers(0, 256, (12, 20, 3)).astype("uint8")
    expected = _uint8(inference.load(sr_export).upscale(photo[None].astype("float32") / 127.5 - 1.0))[0]
    with _serve(sr_export) as url:
        page = Page(browser, url)
        try:
            assert page.page.inner_text("#image-title") == "Upscale an image (×2)"
            _upload(page, "photo.png", _png(photo))
            page.page.wait_for_selector("#download:not([hidden])")
            page.page.wait_for_function("() => document.getElementById('result-size').textContent !== ''")
            (source,) = page.images("#source")
            (result,) = page.images("#result")
            assert (source["width"], source["height"]) == (20, 12)
            assert (result["width"], result["height"]) == (40, 24)
            assert page.page.inner_text("#result-size") == "upscaled: 40 × 24 px"
            link = page.page.locator("#download")
            assert link.get_attribute("download") == "photo-sr.png"
            assert link.get_attribute("href") == result["src"] and result["src"].startswith("blob:")
            with page.page.expect_download() as info:
                link.click()
            download = info.value
            assert download.suggested_filename == "photo-sr.png"
            saved = np.asarray(Image.open(download.path()))
            np.testing.assert_array_equal(saved, expected)

            _upload(page, "notes.png", b"not an image")  # the server's error is shown
            page.page.wait_for_function("() => document.getElementById('status').className === 'error'")
            assert page.status().startswith("Expected")
            page.check_loopback_only()
        finally:
            page.close()


def test_translate_a_jpeg_upload(browser, exports):
    photo = np.random.default_rng(1).integers(0, 256, (16, 24, 3)).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG")
    with _serve(exports / "maps") as url:
        page = Page(browser, url)
        try:
            assert page.page.inner_text("#image-title") == "Translate an image"
            assert page.page.is_hidden("#generate")
            _upload(page, "street.jpg", buffer.getvalue(), "image/jpeg")
            page.page.wait_for_selector("#download:not([hidden])")
            page.page.wait_for_function("() => document.getElementById('result').naturalWidth > 0")
            (result,) = page.images("#result")
            assert (result["width"], result["height"]) == (24, 16)
            assert page.page.locator("#download").get_attribute("download") == "street-maps.png"
            page.check_loopback_only()
        finally:
            page.close()


def test_the_kgan_serve_command_serves_the_page(browser, exports):
    process = subprocess.Popen(
        [sys.executable, "-m", "kgan", "serve", str(exports / "digits"), "--port", "0", "--no-grpc"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    watchdog = threading.Timer(60, process.kill)  # a server that never starts fails instead of hanging
    watchdog.start()
    try:
        seen = []
        for line in process.stdout:  # the CLI logs "serving at URL" once it listens
            seen.append(line)
            match = re.search(r"serving at (http://\S+)", line)
            if match:
                break
        assert match, "".join(seen)
        page = Page(browser, match.group(1))
        try:
            assert len(page.images("#grid img")) == 16
            assert page.page.inner_text("#info").startswith("task generate · versions 1, 2")
            page.check_loopback_only()
        finally:
            page.close()
    finally:
        watchdog.cancel()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_missing_browser_fails_with_the_install_command():
    with pytest.raises(pytest.fail.Exception, match="run `sh tools/install_browser.sh`"):
        launch(None, executable="/nonexistent/chromium")
