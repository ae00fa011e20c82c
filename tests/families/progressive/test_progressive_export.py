"""A progressive GAN stopped mid-fade: a `.keras` file and a checkpoint keep the phase, the export is the current resolution.

The export at the end of growth (the full-resolution generator, parity in
both formats, `kgan.augment`) is checked on the CLI run of
test_progressive_recipe.py::test_a_tiny_run_grows_to_full_size_exports_and_samples,
which trains to full size and exports anyway.
"""

import keras
import numpy as np

import kgan
import progressive_cases as cases
from harness import FamilyCase
from harness import fit


def _case(model_fn, n, num_classes=None):
    return FamilyCase("case", model_fn, cases.examples(n, num_classes), 8, None)


def test_mid_training_keras_file_checkpoint_and_export_keep_the_current_resolution(tmp_path):
    # One model stopped mid-fade serves the three checks (each would train its own otherwise).
    gan = cases.model(None, fade_images=16, stabilize_images=8)  # unconditional (the final export: conditional)
    checkpoints = str(tmp_path / "checkpoints")
    fit(gan, _case(None, 16), epochs=1, callbacks=[kgan.callbacks.FullStateCheckpoint(checkpoints)])
    assert gan.position() == (1, 0.5)  # 16 images: fade in 8x8, alpha 0.5
    # The .keras file keeps the phase and the samples.
    gan.save(tmp_path / "p.keras")
    loaded = keras.models.load_model(tmp_path / "p.keras")
    assert type(loaded) is kgan.ProgressiveGAN
    assert loaded.growth() == gan.growth()
    np.testing.assert_allclose(loaded.generate(6, seed=1), gan.generate(6, seed=1), atol=1e-6)
    assert loaded.generate(6, seed=1).shape == (6, 8, 8, 1)
    assert loaded.get_config()["fade_images"] == 16
    # So does a checkpoint (resuming from one equals the uninterrupted run: the contract's
    # check cut mid-fade, and test_progressive_resume.py for 4 -> 8 -> 16, --runslow).
    restored = cases.model(None, fade_images=16, stabilize_images=8)
    assert kgan.callbacks.restore_latest(restored, checkpoints) == 1
    assert restored.growth() == gan.growth() and restored.growth()["phase"] == "fade in 8x8"
    np.testing.assert_allclose(restored.generate(6, seed=1), gan.generate(6, seed=1), atol=1e-6)
    # The export is the current resolution, and its card says so.
    folder = kgan.export.export_model(gan, tmp_path, "mid")
    card = kgan.export.read_card(folder)
    assert card["image_shape"] == [8, 8, 1]
    assert card["progressive"]["complete"] is False
    assert card["progressive"]["resolution"] == 8 and card["progressive"]["alpha"] == 0.5
    assert "mid-training" in card["progressive"]["exported"]
    exported = kgan.inference.load(folder)
    assert card["num_classes"] is None and card["latent_dim"] == cases.LATENT
    np.testing.assert_allclose(exported.generate(5, seed=2), gan.generate(5, seed=2), atol=1e-5)
