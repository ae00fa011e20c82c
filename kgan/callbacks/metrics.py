"""`MetricsCallback`: FID and friends during training, and the best checkpoint."""

import json
import math
import os

import keras

from kgan import atomic
from kgan.metrics.evaluation import DEFAULT_METRICS
from kgan.metrics.evaluation import SCORES
from kgan.metrics.evaluation import Evaluation
from kgan import checks

MODES = ("min", "max")


class MetricsCallback(keras.callbacks.Callback):
    """Computes evaluation metrics every `every_n_epochs` epochs into `logs`.

    The scores (`"fid"`, `"kid"`, `"kid_std"`, `"precision"`, ...; see
    `kgan.metrics.evaluate`) are added to the epoch's `logs`, so `History`
    and `TensorBoard` record them: list this callback *before* a
    `TensorBoard` callback. Epochs that are not evaluated have no entry, as
    with `validation_freq`. Real features are extracted once and reused.

    Args:
        real_source: Real data, as in `kgan.metrics.evaluate`.
        extractor: A feature extractor, e.g. `kgan.metrics.ClassifierExtractor`.
        metrics: Metric names, as in `kgan.metrics.evaluate`.
        n: Generated images per evaluation.
        every_n_epochs: Evaluate after epochs `N, 2N, ...` (1-based).
        seed: Noise seed; the same seed every time, so successive epochs are
            scored on the same latent vectors.
        monitor: A score name (e.g. `"fid"`) to track for `filepath`.
        mode: `"min"` if lower `monitor` is better (FID, KID), `"max"` if
            higher is better (precision, recall, inception_score, cas).
        filepath: If set (with `monitor`), `model.save(filepath)` atomically
            whenever `monitor` improves (`.keras`, or `.weights.h5` for
            weights only). The best score is kept beside it in
            `filepath + ".best.json"`, so a resumed run (a new callback)
            replaces the file only with a better model.
        sampler: What to score; `None` scores the model being trained
            (which must have `generate`, like `kgan.GAN`).
        verbose: 1 prints the scores after each evaluation.
        **options: Further `kgan.metrics.Evaluation` arguments (`n_real`,
            `split`, `batch_size`, `kid_subsets`, `kid_subset_size`, `k`,
            `cas_epochs`).

    Example:

    >>> callback = kgan.callbacks.MetricsCallback(
    ...     "digits", kgan.metrics.ClassifierExtractor("evaluator.keras"),
    ...     metrics=("fid", "kid"), n=500, every_n_epochs=2,
    ...     monitor="fid", filepath="best.keras")
    >>> history = gan.fit(dataset, epochs=4, callbacks=[callback], verbose=0)
    >>> len(history.history["fid"])  # after epochs 2 and 4
    2
    """

    def __init__(
        self,
        real_source,
        extractor,
        metrics=DEFAULT_METRICS,
        n=1000,
        every_n_epochs=1,
        seed=0,
        monitor=None,
        mode="min",
        filepath=None,
        sampler=None,
        verbose=0,
        **options,
    ):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"Expected mode to be one of {MODES}. Received: mode={mode!r}")
        if filepath is not None and monitor is None:
            raise ValueError(
                "Expected `monitor` (the score that decides the best checkpoint) "
                f"with `filepath`. Received: monitor=None, filepath={filepath!r}"
            )
        self.evaluation = Evaluation(
            real_source, extractor, metrics, n=n, seed=seed, **options
        )
        scores = [s for m in self.evaluation.metrics for s in SCORES[m]]
        if monitor is not None and monitor not in scores:
            raise ValueError(
                f"Expected `monitor` to be one of the scores of metrics "
                f"{self.evaluation.metrics}: {scores}. Received: monitor={monitor!r}"
            )
        self.every_n_epochs = checks.positive_int("every_n_epochs", every_n_epochs)
        self.monitor = monitor
        self.mode = mode
        self.filepath = filepath
        self.sampler = sampler
        self.verbose = verbose
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None

    def on_train_begin(self, logs=None):
        state = self.read_state(self.filepath) if self.filepath is not None else None
        if state and state["monitor"] == self.monitor and state["mode"] == self.mode:
            self.best, self.best_epoch = state["best"], state["best_epoch"]

    @staticmethod
    def read_state(filepath):
        """The best score kept beside `filepath`, or None."""
        path = os.fspath(filepath) + ".best.json"
        if not os.path.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs != 0:
            return
        scores = self.evaluation.scores(self.sampler or self.model)
        if logs is not None:
            logs.update(scores)
        if self.verbose:
            shown = ", ".join(f"{k}={v:.4g}" for k, v in scores.items())
            print(f"Epoch {epoch + 1}: {shown}")
        if self.monitor is not None:
            self._track_best(epoch, scores)

    def _track_best(self, epoch, scores):
        value = scores[self.monitor]
        improved = value < self.best if self.mode == "min" else value > self.best
        if not improved:
            return
        self.best, self.best_epoch = value, epoch
        if self.filepath is not None:
            atomic.save_model(self.model, self.filepath)
            state = {"monitor": self.monitor, "mode": self.mode, "best": value, "best_epoch": epoch}
            atomic.write_json(os.fspath(self.filepath) + ".best.json", state)
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved to {value:.4g}, "
                      f"saved {self.filepath}")
