"""A screenshot of `kgan serve`'s page (`GET /`) for the README, taken in headless Chromium.

Serves an export on loopback, opens the page in Debian's Chromium (`sh tools/install_browser.sh`) with
Playwright, draws a grid (and, for a noise-to-image model, a latent interpolation; for an image model, the
result of an uploaded image), and writes a small PNG:

    python tools/screenshot_page.py saved_models/digits --out tools/figures/serve_page.png
    python tools/screenshot_page.py saved_models/sr --upload photo.png --out sr_page.png

Prints what it showed as a table and writes it as JSON beside the PNG (`--out` with `.json`).
"""

import argparse
import io
import json
import os
import sys
import time

CHROMIUM = "/usr/bin/chromium"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("export", help="saved_models/NAME (or a version folder) to serve")
    p.add_argument("--out", default="tools/figures/serve_page.png", help="PNG to write (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="grid seed (default: 0)")
    p.add_argument("--n", type=int, default=36, choices=(4, 16, 36, 64), help="grid images (default: 36)")
    p.add_argument("--label", default=None, help="class for a conditional model (default: all, in turn)")
    p.add_argument("--walk", type=int, nargs=2, default=(1, 2), metavar=("A", "B"), help="interpolation seeds")
    p.add_argument("--steps", type=int, default=10, help="interpolation steps (default: 10)")
    p.add_argument("--upload", default=None, help="image to upload, for a translate or upscale model")
    p.add_argument("--width", type=int, default=860, help="viewport width in CSS pixels (default: 860)")
    p.add_argument("--colors", type=int, default=128, help="palette size of the written PNG, 0 for full color")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Expected Chromium at {CHROMIUM}: run `sh tools/install_browser.sh`")
    from playwright.sync_api import sync_playwright

    from kgan import serving

    start = time.perf_counter()
    model = serving.load_model(args.export)
    with serving.running(serving.create_app(model)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": args.width, "height": 600})
        page.goto(url + "/")
        page.wait_for_function("() => document.getElementById('status').textContent.endsWith('ready')")
        _show(page, args)
        png = page.screenshot(full_page=True)
        browser.close()
    data = _shrink(png, args.colors)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    row = {"export": args.export, "task": model.versions[model.latest].task, "out": args.out,
           "bytes": len(data), "seconds": round(time.perf_counter() - start, 1)}
    print("| " + " | ".join(row) + " |\n|" + " --- |" * len(row) + "\n| " + " | ".join(str(v) for v in row.values()) + " |")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({**row, "argv": sys.argv[1:]}, f, indent=2)
    return 0


def _show(page, args):
    if page.is_visible("#generate"):
        if args.label is not None and page.is_visible("#class"):
            page.select_option("#class", args.label)
        page.select_option("#grid-n", str(args.n))
        page.fill("#grid-seed", str(args.seed))
        page.click("#grid-button")
        page.wait_for_function(f"() => document.getElementById('grid').dataset.seed === '{args.seed}'")
        if page.is_visible("#walk-button"):
            page.fill("#walk-a", str(args.walk[0]))
            page.fill("#walk-b", str(args.walk[1]))
            page.fill("#walk-steps", str(args.steps))
            page.click("#walk-button")
            page.wait_for_function(f"() => document.getElementById('walk').dataset.seeds === '{args.walk[0]},{args.walk[1]}'")
    elif args.upload:
        page.set_input_files("#upload", args.upload)
        page.wait_for_selector("#download:not([hidden])")
        page.wait_for_function("() => document.getElementById('result-size').textContent !== ''")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")


def _shrink(png, colors):
    if not colors:
        return png
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


if __name__ == "__main__":
    sys.exit(main())
