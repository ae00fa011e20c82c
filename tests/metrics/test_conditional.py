import numpy as np
import pytest

from kgan.metrics import classification_accuracy_score
from kgan.metrics import per_class_fid


def test_per_class_fid_on_constructed_features():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    real_labels = np.repeat([0, 1, 2], 100)
    fake = real.copy()
    fake[real_labels == 1] += 2.0  # class 1 moved by 2 in each of 4 dims
    fake[real_labels == 2] *= 3.0
    result = per_class_fid(real, real_labels, fake, real_labels)
    assert sorted(result) == [0, 1, 2]
    assert result[0] == pytest.approx(0.0, abs=1e-9)
    assert result[1] == pytest.approx(16.0, rel=1e-9)  # |shift|^2, same covariance
    # Scaling by 3: mean term 4 |mu|^2 and covariance term Tr(S)(3 - 1)^2 = 4 Tr(S).
    block = real[real_labels == 2]
    expected = 4 * np.sum(block.mean(0) ** 2) + 4 * np.trace(np.cov(block.T))
    assert result[2] == pytest.approx(expected, rel=1e-9)


def test_per_class_fid_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="one label per real feature row"):
        per_class_fid(np.zeros((5, 2)), np.zeros(4), np.zeros((5, 2)), np.zeros(5))


def test_cas_high_for_faithful_and_low_for_label_ignoring_samplers(make_sampler, digits):
    _, (test_x, test_y) = digits
    faithful = classification_accuracy_score(
        make_sampler(noise=0.05), test_x, test_y, n=1000, epochs=4, seed=0
    )
    shifted = classification_accuracy_score(
        make_sampler(noise=0.05, label_shift=1), test_x, test_y, n=1000, epochs=4, seed=0
    )
    # Real digits of the asked class train a usable classifier; digits of the
    # next class teach it the wrong labels, so real accuracy is near 0.
    assert faithful > 0.7, faithful
    assert shifted < 0.15, shifted


def test_cas_needs_a_conditional_sampler(make_sampler, digits):
    _, (test_x, test_y) = digits
    with pytest.raises(ValueError, match="Expected a conditional sampler"):
        classification_accuracy_score(make_sampler(conditional=False), test_x, test_y, n=100)
