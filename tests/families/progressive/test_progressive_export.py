"""Export of a progressive GAN: the current resolution mid-training (and its card says so), the full one at the end."""

import numpy as np

import kgan
import progressive_cases as cases
from harness import FamilyCase
from harness import fit


def _case(model_fn, n, num_classes=None):
    return FamilyCase("case", model_fn, cases.examples(n, num_classes), 8, None)


def test_mid_training_export_is_the_current_resolution_and_says_so(tmp_path):
    gan = cases.model(None, fade_images=16, stabilize_images=8)  # unconditional (the final export: conditional)
    fit(gan, _case(None, 16), epochs=1)
    folder = kgan.export.export_model(gan, tmp_path, "mid")
    card = kgan.export.read_card(folder)
    assert card["image_shape"] == [8, 8, 1]
    assert card["progressive"]["complete"] is False
    assert card["progressive"]["resolution"] == 8 and card["progressive"]["alpha"] == 0.5
    assert "mid-training" in card["progressive"]["exported"]
    exported = kgan.inference.load(folder)
    assert card["num_classes"] is None and card["latent_dim"] == cases.LATENT
    np.testing.assert_allclose(exported.generate(5, seed=2), gan.generate(5, seed=2), atol=1e-5)


def test_final_export_is_the_full_resolution_generator_with_parity(tmp_path):
    gan = cases.model(3, fade_images=8, stabilize_images=8)
    fit(gan, _case(None, 48, 3), epochs=1)
    assert gan.growth()["complete"]
    folder = kgan.export.export_model(gan, tmp_path, "final")
    card = kgan.export.read_card(folder)
    assert card["image_shape"] == [16, 16, 1] and card["num_classes"] == 3 and card["weights"] == "ema"
    assert card["progressive"]["complete"] is True
    assert card["progressive"]["exported"] == "the full-resolution generator"
    expected = gan.generate(7, labels=[0, 1, 2, 0, 1, 2, 0], seed=5)
    assert expected.shape == (7, 16, 16, 1) and np.abs(expected).max() <= 1.0
    for backend in ("onnx", "saved_model"):
        exported = kgan.inference.load(folder, backend=backend)
        np.testing.assert_allclose(
            exported.generate(7, labels=[0, 1, 2, 0, 1, 2, 0], seed=5), expected, atol=1e-5, err_msg=backend
        )
    sampler = kgan.augment.as_sampler(gan)
    z = kgan.latent.sample_latent(3, cases.LATENT, seed=0)
    assert tuple(sampler(z, np.array([0, 1, 2], "int32")).shape) == (3, 16, 16, 1)
