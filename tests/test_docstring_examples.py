"""Every code example in kgan's docstrings runs.

Code examples are the ```python blocks and the `>>>` lines of every
docstring (modules, classes, functions, methods) in the package; `>>>`
examples are checked against their printed output as doctest does
(`...` matches anything). Plain ``` blocks are text (folder layouts) and are
not run.

Examples run in a folder that holds what a reader of the docs has at hand,
and may use these names without defining them:

- files: `evaluator.keras` (a digit classifier from `kgan evaluator`),
  `mnist.npz` (Keras-style `x_train`/`y_train`), `photos/` (PNG photos),
  `saved_models/digits` (an exported conditional GAN), `saved_models/maps`
  (an exported image translator), `saved_models/sr` (an exported x2 upscaler);
- `gan`: a trained conditional `kgan.GAN` on the embedded 8x8 digits;
  `gen`: a bare Keras generator; `dataset`/`real`: `kgan.data.load("digits",
  batch_size=64)`; `classifier`: a compiled Keras digit classifier;
  `images`: 16 digits in [-1, 1]; `photos`: 4 RGB photos in [-1, 1];
  `net`, `spec`: a Keras translator and its `kgan.specs.ModelSpec`;
- `kgan`, `keras`, `np`, `tf`, and the globals of the example's module.
"""

import doctest
import importlib
import inspect
import pkgutil
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan

SKIPPED_MODULES = ("kgan.__main__",)  # running it runs the CLI
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _docstrings():
    seen = set()

    def walk(obj, name):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        doc = obj.__doc__ if inspect.ismodule(obj) else inspect.getdoc(obj)
        if doc:
            yield name, doc
        if inspect.ismodule(obj) or inspect.isclass(obj):
            for key, value in vars(obj).items():
                # Protobuf message classes have `__module__` None.
                ours = (getattr(value, "__module__", None) or "").startswith("kgan")
                if (inspect.isclass(value) or inspect.isfunction(value)) and ours:
                    yield from walk(value, f"{name}.{key}")

    modules = ["kgan"] + [m.name for m in pkgutil.walk_packages(kgan.__path__, "kgan.") if m.name not in SKIPPED_MODULES]
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, doc in walk(module, module_name):
            yield module, name, doc


def _examples():
    found = []
    for module, name, doc in _docstrings():
        for i, code in enumerate(FENCE.findall(doc)):
            found.append(pytest.param(module.__name__, "code", code, id=f"{name}[{i}]"))
        if ">>>" in doc:
            found.append(pytest.param(module.__name__, "doctest", doc, id=f"{name}[>>>]"))
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The files and names the examples may use (see the module docstring)."""
    folder = tmp_path_factory.mktemp("docs")
    with _chdir(folder):
        names = _build_context(folder)
    return folder, names


def _build_context(folder):
    from PIL import Image

    from data_files import write_digits_npz
    from tiny_networks import translate_spec
    from tiny_networks import translator

    keras.utils.set_random_seed(0)
    x, y, _ = kgan.data.load_arrays("digits")
    gen = kgan.models.dcgan_generator(16, 8, 1, 10, base_filters=8, embed_dim=8)
    disc = kgan.models.dcgan_discriminator(8, 1, 10, base_filters=8, normalization="layer")
    gan = kgan.GAN(gen, disc, 16, num_classes=10, r1_weight=0.1, ema_half_life=1000, seed=0)
    gan.compile()
    gan.fit(x, y, batch_size=64, epochs=2, verbose=0)
    kgan.export.export_model(gan, "saved_models", "digits")
    kgan.metrics.train_classifier("digits", path="evaluator.keras", epochs=1)
    classifier = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    mnist = write_digits_npz(folder / "digits64.npz", n=64)
    with np.load(mnist) as data:
        big = np.kron(data["x"], np.ones((1, 3, 3), "uint8"))[:, :28, :28]  # 8 -> 24, padded below
        np.savez(folder / "mnist.npz", x_train=np.pad(big, ((0, 0), (0, 4), (0, 4))), y_train=data["y"])
    photos = _photos(folder / "photos", Image)
    net, spec = translator(), translate_spec()
    kgan.export.export_network(net, spec, "saved_models", "maps")
    kgan.export.export_network(*_upscaler(), "saved_models", "sr")
    return {
        "gan": gan, "gen": gen, "dataset": kgan.data.load("digits", batch_size=64),
        "real": kgan.data.load("digits", batch_size=64), "classifier": classifier,
        "images": x[:16], "photos": photos, "net": net, "spec": spec,
    }


def _photos(folder, Image):
    from sklearn.datasets import load_sample_images

    folder.mkdir()
    crops = []
    for i, image in enumerate(load_sample_images().images):
        for j, (top, left) in enumerate([(100, 100), (200, 300)]):
            crop = image[top : top + 32, left : left + 32]
            Image.fromarray(crop).save(folder / f"{i}{j}.png")
            crops.append(crop.astype("float32") / 127.5 - 1.0)
    return np.stack(crops)


def _upscaler():
    source = keras.Input((None, None, 3), name="images_lr")
    x = keras.layers.Conv2D(12, 3, padding="same")(source)
    x = keras.layers.Lambda(lambda t: tf.nn.depth_to_space(t, 2))(x)
    net = keras.Model(source, keras.layers.Activation("tanh", name="images")(x))
    image = dict(dtype="float32", role="image", value_range=(-1.0, 1.0))
    spec = kgan.specs.ModelSpec(
        "upscale",
        (kgan.specs.TensorSpec("images_lr", (None, None, 3), **image),),
        (kgan.specs.TensorSpec("images", (None, None, 3), **image),),
        scale=2,
    )
    return net, spec


class _chdir:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        import os

        self.previous = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc):
        import os

        os.chdir(self.previous)


@pytest.mark.parametrize("module_name,kind,source", EXAMPLES)
def test_docstring_example_runs(module_name, kind, source, context, monkeypatch):
    folder, names = context
    monkeypatch.chdir(folder)
    module = importlib.import_module(module_name)
    namespace = {**vars(module), "kgan": kgan, "keras": keras, "np": np, "tf": tf, **names}
    if kind == "code":
        exec(compile(source, f"<docstring of {module_name}>", "exec"), namespace)
        return
    test = doctest.DocTestParser().get_doctest(source, namespace, module_name, module_name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} doctest lines failed (see output above)"


def test_examples_are_found():
    ids = [p.id for p in EXAMPLES]
    assert "kgan[0]" in ids and "kgan.families.gan.model.GAN[0]" in ids
    assert "kgan.metrics.frechet_distance[>>>]" in ids
