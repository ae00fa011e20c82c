"""The contract every GAN family meets, as tests a family's test module reuses.

A family's tests subclass `FamilyContract` and set `case` to a `FamilyCase`
(a tiny seeded model and a few batches of data); pytest then runs every check
below for it:

- a tiny fit changes every network and keeps the losses finite;
- `.keras` save/load keeps every optimizer's state, and training continues;
- a run interrupted after one epoch and resumed from a full-state checkpoint
  equals the uninterrupted run, optimizer step counts included;
- the export reproduces the model's exported network (SavedModel and ONNX),
  each of them for a model with several (`export_parts()`);
- `kgan serve` answers a predict request with the exported network's output.
"""

import dataclasses
import functools
import math
from collections.abc import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.data import stream


@dataclasses.dataclass
class FamilyCase:
    """A tiny instance of a family, for the shared checks.

    Attributes:
        name: shown in test ids.
        make_model: returns a new compiled model; the same weights every call.
        examples: the training examples (an array, or a tuple or dict of
            arrays) for `kgan.data.stream.epoch_keyed`.
        batch_size: examples per batch.
        export_inputs: returns `{input name: array}` for the exported
            network, for the serving round trip.
    """

    name: str
    make_model: Callable
    examples: object
    batch_size: int
    export_inputs: Callable

    def dataset(self, initial_epoch=0):
        return stream.epoch_keyed(self.examples, self.batch_size, seed=0, initial_epoch=initial_epoch)


def weights(model, names):
    return {f"{name}/{i}": np.array(w) for name in names for i, w in enumerate(getattr(model, name).weights)}


def full_state(model):
    state = {}
    for part, value in model.checkpoint_parts().items():
        variables = value.variables if hasattr(value, "variables") else value
        for i, variable in enumerate(variables):
            state[f"{part}/{i}"] = np.array(variable)
    return state


def fit(model, case, epochs, initial_epoch=0, callbacks=()):
    dataset, epoch = case.dataset(initial_epoch)
    return model.fit(
        dataset, epochs=epochs, initial_epoch=initial_epoch, verbose=0, shuffle=False,
        callbacks=[stream.EpochSync(epoch), *callbacks],
    ).history


class FamilyContract:
    """Subclass with `case = FamilyCase(...)`; pytest collects the checks."""

    case = None

    def test_a_tiny_fit_changes_every_network_and_keeps_losses_finite(self):
        model = self.case.make_model()
        before = weights(model, model.network_names)
        history = fit(model, self.case, epochs=2)
        after = weights(model, model.network_names)
        for name in model.network_names:
            kernels = [k for k in before if k.startswith(name + "/") and before[k].ndim >= 2]
            assert kernels, name
            assert all(not np.array_equal(before[k], after[k]) for k in kernels), f"{name} did not train"
        for key, values in history.items():
            assert all(math.isfinite(v) for v in values), (key, values)
        steps = 2 * (len(tf.nest.flatten(self.case.examples)[0]) // self.case.batch_size)
        assert all(int(opt.iterations) >= steps for opt in model.optimizers.values())

    def test_keras_save_and_load_keep_every_optimizer_and_continue(self, tmp_path):
        model = self.case.make_model()
        fit(model, self.case, epochs=1)
        path = tmp_path / "model.keras"
        model.save(path)
        loaded = keras.models.load_model(path)
        assert type(loaded) is type(model)
        assert set(loaded.optimizers) == set(model.optimizers)
        for name, optimizer in model.optimizers.items():
            for a, b in zip(optimizer.variables, loaded.optimizers[name].variables, strict=True):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
        names = [*model.network_names, *(f"ema_{n}" for n in model.ema_names)]
        for key, value in weights(model, names).items():
            np.testing.assert_array_equal(weights(loaded, names)[key], value, err_msg=key)
        steps = {name: int(opt.iterations) for name, opt in loaded.optimizers.items()}
        history = fit(loaded, self.case, epochs=2, initial_epoch=1)
        assert all(math.isfinite(v) for values in history.values() for v in values)
        assert all(int(opt.iterations) > steps[name] for name, opt in loaded.optimizers.items())

    def test_resume_from_a_checkpoint_equals_the_uninterrupted_run(self, tmp_path):
        tf.config.experimental.enable_op_determinism()
        full = self.case.make_model()
        fit(full, self.case, epochs=2)
        cut = self.case.make_model()
        fit(cut, self.case, epochs=1, callbacks=[kgan.callbacks.FullStateCheckpoint(str(tmp_path))])
        resumed = self.case.make_model()
        epoch = kgan.callbacks.restore_latest(resumed, str(tmp_path))
        assert epoch == 1
        fit(resumed, self.case, epochs=2, initial_epoch=epoch)
        expected, actual = full_state(full), full_state(resumed)
        assert actual.keys() == expected.keys()
        for key, value in expected.items():
            np.testing.assert_array_equal(actual[key], value, err_msg=key)

    def test_export_reproduces_the_exported_network(self, tmp_path):
        model = self.case.make_model()
        fit(model, self.case, epochs=1)
        feeds = self.case.export_inputs()
        # Every exported part (one unnamed part, or e.g. a CycleGAN's "a2b" and "b2a").
        for part, (network, spec) in model.export_parts().items():
            folder = kgan.export.export_model(model, tmp_path / "saved_models", _name(part), part=part)
            card = kgan.export.read_card(folder)
            assert kgan.specs.from_card(card) == spec
            expected = np.asarray(network(_network_inputs(spec, feeds), training=False))
            for backend in ("onnx", "saved_model"):
                exported = kgan.inference.load(folder, backend=backend)
                np.testing.assert_allclose(exported.run(feeds), expected, atol=1e-5, err_msg=f"{part} {backend}")

    def test_serving_round_trip(self, tmp_path):
        from fastapi.testclient import TestClient

        model = self.case.make_model()
        feeds = self.case.export_inputs()
        for part, (network, spec) in model.export_parts().items():
            folder = kgan.export.export_model(model, tmp_path / "saved_models", _name(part), part=part)
            expected = np.asarray(network(_network_inputs(spec, feeds), training=False))
            served = kgan.serving.load_model(folder)
            client = TestClient(kgan.serving.create_app(served))
            body = {"inputs": {name: np.asarray(value).tolist() for name, value in feeds.items()}}
            response = client.post(f"/v1/models/{_name(part)}:predict", json=body)
            assert response.status_code == 200, response.text
            np.testing.assert_allclose(np.asarray(response.json()["outputs"]), expected, atol=1e-5)


def _name(part):
    return "tiny" + (f"-{part}" if part else "")


def _network_inputs(spec, feeds):
    values = [feeds[tensor.name] for tensor in spec.inputs]
    return values[0] if len(values) == 1 else values


def noise_inputs(latent_dim, num_classes=None):
    """`export_inputs` of a noise-to-sample family: 5 latents (and labels cycling the classes)."""

    def feeds():
        z = kgan.latent.sample_latent(5, latent_dim, seed=4)
        return {"z": z, "labels": (np.arange(5) % num_classes).astype("int32")} if num_classes else {"z": z}

    return feeds

def slow_contract_tests(*names):
    """Class decorator: the named `FamilyContract` tests of this case become opt-in (`--runslow`).

    For a further case of a family whose first case runs the whole contract
    fast; say at the class which fast test covers each.
    """

    def decorate(cls):
        for name in names:
            setattr(cls, name, pytest.mark.slow(_delegate(getattr(FamilyContract, name))))
        return cls

    return decorate


def _delegate(test):
    # A new function per class: marking the inherited one would mark every family's.
    @functools.wraps(test)
    def run(self, *args, **kwargs):
        return test(self, *args, **kwargs)

    return run
