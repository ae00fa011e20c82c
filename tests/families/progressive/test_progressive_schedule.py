"""The growth schedule: level and fade-in alpha at hand-computed image counts."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.families.progressive.schedule import GrowthSchedule

# 4 -> 8 -> 16 -> 32 (levels 0..3), S = 300 stable images, F = 200 fading images:
#   [0, 300)      4x4 stable
#   [300, 500)    fade in 8x8,   alpha = (n - 300) / 200
#   [500, 800)    8x8 stable
#   [800, 1000)   fade in 16x16, alpha = (n - 800) / 200
#   [1000, 1300)  16x16 stable
#   [1300, 1500)  fade in 32x32, alpha = (n - 1300) / 200
#   [1500, ...)   32x32 stable to the end
SCHEDULE = GrowthSchedule(num_levels=4, fade_images=200, stabilize_images=300)
EXPECTED = [
    (0, 0, 1.0),
    (299, 0, 1.0),
    (300, 1, 0.0),
    (350, 1, 0.25),
    (450, 1, 0.75),
    (499, 1, 0.995),
    (500, 1, 1.0),
    (799, 1, 1.0),
    (800, 2, 0.0),
    (900, 2, 0.5),
    (1000, 2, 1.0),
    (1300, 3, 0.0),
    (1460, 3, 0.8),
    (1500, 3, 1.0),
    (1800, 3, 1.0),  # past the last fade-in nothing grows, however many images
    (10**9, 3, 1.0),
]


@pytest.mark.parametrize("images,level,alpha", EXPECTED)
def test_position_at_known_image_counts(images, level, alpha):
    assert SCHEDULE.position(images) == (level, pytest.approx(alpha, abs=1e-12))


def test_compiled_position_equals_the_python_one():
    counts = np.arange(0, 2000, 7, dtype="int64")
    position = tf.function(SCHEDULE.tensor_position)
    for n in counts:
        level, alpha = position(tf.constant(n))
        expected_level, expected_alpha = SCHEDULE.position(int(n))
        assert int(level) == expected_level, n
        assert float(alpha) == pytest.approx(expected_alpha, abs=1e-6), n


def test_continuous_level_and_phase_names():
    assert SCHEDULE.level(0) == 0.0
    assert SCHEDULE.level(350) == pytest.approx(0.25)  # a quarter of the way from 4x4 to 8x8
    assert SCHEDULE.level(900) == pytest.approx(1.5)
    assert SCHEDULE.level(1500) == 3.0
    assert SCHEDULE.phase(0) == "stabilize 4x4"
    assert SCHEDULE.phase(350) == "fade in 8x8"
    assert SCHEDULE.phase(1500) == "stabilize 32x32"
    assert SCHEDULE.images_to_full_resolution == 1500


def test_phase_starts_list_every_phase_in_order():
    assert SCHEDULE.phase_starts() == [
        (0, "stabilize 4x4"),
        (300, "fade in 8x8"),
        (500, "stabilize 8x8"),
        (800, "fade in 16x16"),
        (1000, "stabilize 16x16"),
        (1300, "fade in 32x32"),
        (1500, "stabilize 32x32"),
    ]


def test_without_fade_a_level_appears_at_once_and_without_stabilising_fades_start_at_once():
    instant = GrowthSchedule(3, fade_images=0, stabilize_images=10)
    assert [instant.position(n) for n in (0, 9, 10, 19, 20, 99)] == [
        (0, 1.0), (0, 1.0), (1, 1.0), (1, 1.0), (2, 1.0), (2, 1.0)
    ]
    assert instant.phase_starts() == [(0, "stabilize 4x4"), (10, "stabilize 8x8"), (20, "stabilize 16x16")]
    fading = GrowthSchedule(3, fade_images=10, stabilize_images=0)
    assert [fading.position(n) for n in (0, 5, 10, 15, 20)] == [(1, 0.0), (1, 0.5), (2, 0.0), (2, 0.5), (2, 1.0)]
    level, alpha = tf.function(fading.tensor_position)(tf.constant(15, tf.int64))
    assert (int(level), float(alpha)) == (2, 0.5)


def test_one_level_never_grows():
    single = GrowthSchedule(1, fade_images=0, stabilize_images=0)
    assert single.position(12345) == (0, 1.0)
    level, alpha = single.tensor_position(tf.constant(5, tf.int64))
    assert (int(level), float(alpha)) == (0, 1.0)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"num_levels": 0, "fade_images": 1, "stabilize_images": 1}, "num_levels"),
        ({"num_levels": 3, "fade_images": -1, "stabilize_images": 1}, "fade_images"),
        ({"num_levels": 3, "fade_images": 1, "stabilize_images": 2.5}, "stabilize_images"),
        ({"num_levels": 3, "fade_images": 0, "stabilize_images": 0}, "fade_images \\+ stabilize_images"),
    ],
)
def test_bad_schedules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GrowthSchedule(**kwargs)
