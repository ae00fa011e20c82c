"""Compiling: one optimizer per network, saved and restored with the model."""

import keras
import numpy as np
import pytest

from tiny_models import gan
from tiny_models import images


def test_one_optimizer_instance_for_two_networks_is_refused():
    model = gan(compile=False)
    shared = keras.optimizers.Adam(1e-3)
    with pytest.raises(ValueError, match=r"one optimizer instance per network.*'generator' and 'discriminator'"):
        model.compile(d_optimizer=shared, g_optimizer=shared)


def test_optimizers_are_listed_by_network_and_built():
    model = gan()
    assert set(model.optimizers) == {"generator", "discriminator"}
    assert model.optimizers["generator"] is model.g_optimizer
    assert all(opt.built for opt in model.optimizers.values())


def test_unknown_network_in_optimizers_is_refused():
    model = gan(compile=False)
    with pytest.raises(ValueError, match=r"Expected optimizers for networks among \['generator', 'discriminator'\]. Received: \['critic'\]"):
        model.__class__.__mro__[1].compile(model, {"critic": "adam"})


def test_compile_config_round_trip_keeps_each_optimizer(tmp_path):
    model = gan()
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.1), g_optimizer=keras.optimizers.RMSprop(3e-4))
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.g_optimizer, keras.optimizers.RMSprop)
    assert float(loaded.d_optimizer.beta_1) == pytest.approx(0.1)
    for a, b in zip(model.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
