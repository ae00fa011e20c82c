"""Registers kgan's Keras classes with Keras as soon as both are imported.

`keras.models.load_model("gan.keras")` finds `kgan.GAN` (and every family's
classes) only once the module defining them has run. `import kgan` stays light
(no TensorFlow: the CLI's `--help`, `kgan.inference` and `kgan.serving` do not
need it), so instead of importing the families at once, `import kgan` imports
them the moment Keras is imported, whichever comes first:

- Keras already imported: the families are imported now;
- otherwise a finder on `sys.meta_path` waits for `import keras` and imports
  the families right after Keras has loaded.

When a kgan module is itself what imports Keras first, some families cannot be
imported at that moment (their base is half-initialised); the finder then waits
for the next import of any module and tries again.
"""

import importlib
import importlib.abc
import importlib.util
import sys



def register_when_keras_loads():
    """Imports the families' models now if Keras is loaded, else right after it loads."""
    if "keras" in sys.modules:
        _register()
    elif not any(isinstance(finder, _Watcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Watcher())


def _register():
    """Imports the families' models; False if a half-initialised kgan module is in the way."""
    from kgan import families

    try:
        for module in families.model_modules():
            importlib.import_module(module)
    except ImportError as e:
        if "partially initialized" not in str(e):
            raise
        return False
    return True


class _Watcher(importlib.abc.MetaPathFinder):
    """Waits for Keras (then for any later import, if kgan was busy) and registers."""

    def __init__(self):
        self.keras_loaded = False

    def find_spec(self, fullname, path=None, target=None):
        if self.keras_loaded:
            self._retry()
            return None
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec("keras")
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _AfterExec(spec.loader, self)
        return spec

    def keras_done(self):
        self.keras_loaded = True
        self._retry()

    def _retry(self):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        if not _register():
            sys.meta_path.insert(0, self)


class _AfterExec(importlib.abc.Loader):
    """Runs Keras' own loader, then tells the watcher."""

    def __init__(self, loader, watcher):
        self.loader = loader
        self.watcher = watcher

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.watcher.keras_done()

    def __getattr__(self, name):
        return getattr(self.loader, name)
