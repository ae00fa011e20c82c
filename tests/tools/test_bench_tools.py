"""The measurement tools of issue 9: their helpers by hand, and each tool end to end on a tiny budget.

The tools live in tools/ (not in the package); they are imported from there.
End-to-end runs are marked slow; the fast tests check the pieces the numbers
rest on: data cuts and weights, the interleaved race, the keras.io
reference's networks and update, the config a contender is built from, the
scores and goals computed by hand on features read off the pixels, the
imbalance benchmark's synthetic shares, little-data resuming, speed medians.
"""

import json
import os
import sys

import numpy as np
import pytest

TOOLS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
sys.path.insert(0, TOOLS)

import bench_imbalance  # noqa: E402
import bench_little_data  # noqa: E402
import bench_quality  # noqa: E402


# Data cuts and weights ----------------------------------------------------------------------------


def test_imbalanced_subset_cuts_only_the_rare_classes():
    labels = np.repeat(np.arange(4), [100, 200, 300, 50])
    index = bench_imbalance.imbalanced_subset(labels, rare=[1, 3], keep=0.01, seed=0)
    counts = np.bincount(labels[index], minlength=4)
    assert counts.tolist() == [100, 2, 300, 1]  # round(0.01 * 200) = 2; at least one image of a class
    assert len(np.unique(index)) == len(index)
    again = bench_imbalance.imbalanced_subset(labels, rare=[1, 3], keep=0.01, seed=0)
    np.testing.assert_array_equal(index, again)


def test_balanced_resample_repeats_every_class_to_the_largest_count():
    labels = np.array([0] * 6 + [1] * 2 + [2] * 4)
    index = bench_imbalance.balanced_resample(labels, seed=0)
    assert np.bincount(labels[index]).tolist() == [6, 6, 6]
    # Class 1's two images appear three times each (whole passes), class 2's four images once or twice.
    assert sorted(np.bincount(index[labels[index] == 1]).tolist()[6:8]) == [3, 3]
    class_2 = np.bincount(index[labels[index] == 2], minlength=12)[8:12]
    assert sorted(class_2.tolist()) == [1, 1, 2, 2]


def test_balanced_weights_make_every_class_weigh_the_same():
    shares = np.array([0.5, 0.3, 0.2])
    weights = bench_imbalance.balanced_weights(shares)
    np.testing.assert_allclose(weights, [1 / 1.5, 1 / 0.9, 1 / 0.6], rtol=1e-6)
    np.testing.assert_allclose(weights * shares, [1 / 3] * 3, rtol=1e-6)


def test_stratified_subset_takes_the_same_number_of_each_class():
    labels = np.repeat(np.arange(3), 50)
    index = bench_little_data.stratified_subset(labels, 10, seed=1)
    assert np.bincount(labels[index]).tolist() == [4, 3, 3]
    assert len(np.unique(index)) == 10


def test_real_split_halves_the_test_split_for_npz_and_uses_train_test_for_digits():
    data = {"name": "x.npz", "x_train": np.zeros((4, 2, 2, 1)), "y_train": np.zeros(4, int),
            "x_test": np.arange(10, dtype="float32").reshape(10, 1, 1, 1), "y_test": np.arange(10)}
    (xa, ya), (xb, yb) = bench_quality.real_split(data, seed=0)
    assert len(xa) == len(xb) == 5
    assert sorted(np.concatenate([ya, yb]).tolist()) == list(range(10))
    np.testing.assert_array_equal(xa[:, 0, 0, 0], ya)  # images stay with their labels
    digits = dict(data, name="digits")
    reference, ceiling = bench_quality.real_split(digits)
    assert reference[0] is digits["x_train"] and ceiling[0] is digits["x_test"]


# The race -----------------------------------------------------------------------------------------


class FakeTrainer:
    """A trainer whose calls take a fixed time and number of steps."""

    def __init__(self, name, call_seconds, steps_per_call, timeline):
        self.name, self.call_seconds, self.steps_per_call = name, call_seconds, steps_per_call
        self.seconds, self.steps, self.timeline = 0.0, 0, timeline

    def call(self):
        self.seconds += self.call_seconds
        self.steps += self.steps_per_call
        self.timeline.append(self.name)
        return self.call_seconds


def test_race_by_seconds_interleaves_turns_and_stops_each_trainer_at_every_budget():
    timeline, seen = [], []
    fast = FakeTrainer("fast", 0.5, 8, timeline)
    slow = FakeTrainer("slow", 2.0, 1, timeline)

    def on_checkpoint(trainer, checkpoint):
        seen.append((trainer.name, checkpoint, trainer.seconds))

    bench_quality.race([fast, slow], [10.0, 4.0], on_checkpoint, by="seconds", slice_seconds=3.0)
    assert [(n, c) for n, c, _ in seen] == [("fast", 4.0), ("slow", 4.0), ("fast", 10.0), ("slow", 10.0)]
    for _, checkpoint, seconds in seen:
        assert checkpoint <= seconds < checkpoint + 2.0  # stopped within one call of the budget
    # Turns of 3 s of each trainer's clock: fast 0-3 s (6 calls), slow 0-4 s (2 calls), fast 3-4 s
    # (2 calls): both at the 4 s budget; then fast 4-7 s, slow 4-8 s, fast 7-10 s, slow 8-10 s.
    assert timeline == ["fast"] * 6 + ["slow"] * 2 + ["fast"] * 2 + ["fast"] * 6 + ["slow"] * 2 + ["fast"] * 6 + ["slow"]


def test_race_by_steps_reaches_the_step_count_in_whole_calls():
    timeline, seen = [], []
    a = FakeTrainer("a", 1.0, 8, timeline)
    b = FakeTrainer("b", 1.0, 3, timeline)
    bench_quality.race([a, b], [20], lambda t, c: seen.append((t.name, t.steps)), by="steps")
    assert seen == [("a", 24), ("b", 21)]


# Contenders -------------------------------------------------------------------------------------


def test_keras_io_networks_have_the_guides_sizes():
    generator, discriminator = bench_quality.keras_io_networks()
    # The guide's published parameter counts: G 1,339,905 (1.34M), D 74,625 (75k).
    assert generator.count_params() == 1_339_905
    assert discriminator.count_params() == 74_625
    assert generator.output_shape == (None, 28, 28, 1)


def test_keras_io_trainer_updates_both_networks_and_samples_in_kgan_range():
    images = np.random.default_rng(0).uniform(-1, 1, (128, 28, 28, 1)).astype("float32")
    trainer = bench_quality.KerasIOTrainer("ref", images, seed=0)
    before = [w.copy() for w in (trainer.model.generator.get_weights()[0], trainer.model.discriminator.get_weights()[0])]
    trainer.train_until(steps=2)
    after = (trainer.model.generator.get_weights()[0], trainer.model.discriminator.get_weights()[0])
    assert trainer.steps == 2 and trainer.calls == 2
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
    samples = trainer.sampler.generate(5, seed=0)
    assert samples.shape == (5, 28, 28, 1) and samples.min() >= -1 and samples.max() <= 1
    np.testing.assert_array_equal(samples, trainer.sampler.generate(5, seed=0))


def test_kgan_config_is_what_kgan_train_resolves():
    config = bench_quality.kgan_config(["--r1-interval", "16", "--reuse-fakes"])
    assert config.dataset == "digits" and config.epochs == 150 and config.batch_size == 64
    assert config.model.image_size == 16 and config.model.conditional and config.model.r1_weight == 0.2
    assert config.model.r1_interval == 16 and config.model.reuse_fakes
    assert config.steps_per_execution == 8


def test_kgan_trainer_strips_bf16_and_builds_under_mixed_bfloat16():
    import keras

    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    y = np.arange(32) % 10
    trainer = bench_quality.KganTrainer(
        "t", "--image-size 8 --preset dcgan_tiny --batch-size 16 --steps-per-execution 2 --bf16", (x, y)
    )
    assert trainer.flags[-1] != "--bf16" and trainer.policy == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"  # restored after building
    assert trainer.model.generator.get_layer("to_rgb").compute_dtype == "bfloat16"
    trainer.call()
    assert trainer.steps == 2 and trainer.model.d_optimizer.iterations.numpy() == 2
    assert np.isfinite(trainer.logs["d_loss"])


def test_kgan_trainer_without_bf16_is_float32_where_auto_picks_bfloat16(monkeypatch):
    from kgan import machine

    monkeypatch.setattr(machine, "cpu_flags", lambda: frozenset({"avx512_bf16"}))
    monkeypatch.setattr(machine, "gpu_compute_capabilities", lambda: [])
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    trainer = bench_quality.KganTrainer("t", "--image-size 8 --preset dcgan_tiny --batch-size 16", (x, np.arange(32) % 10))
    assert trainer.policy == "float32" and trainer.config.precision == "float32"
    assert trainer.model.generator.get_layer("to_rgb").compute_dtype == "float32"


# Scores -------------------------------------------------------------------------------------------


class PixelExtractor:
    """Features and class probabilities read off the image: pixel (0, 0) = class / 10 - 0.5, pixel (1, 1) jitter.

    Even classes are recognised with probability 0.95, odd ones with 0.5.
    """

    name = "pixel"
    weights_hash = "none"

    @staticmethod
    def classes(images):
        return np.rint((images[:, 0, 0, 0] + 0.5) * 10).astype(int)

    def __call__(self, images):
        return np.stack([10 * images[:, 0, 0, 0], 10 * images[:, 1, 1, 0]], axis=1)

    def probabilities(self, images):
        c = self.classes(images)
        top = np.where(c % 2 == 0, 0.95, 0.5)
        out = np.repeat(((1 - top) / 9)[:, None], 10, axis=1)
        out[np.arange(len(c)), c] = top
        return out


def pixel_images(labels, seed):
    images = np.zeros((len(labels), 4, 4, 1), "float32")
    images[:, 0, 0, 0] = labels / 10 - 0.5
    images[:, 1, 1, 0] = np.random.default_rng(seed).uniform(-0.05, 0.05, len(labels))
    return images


class OneClassSampler:
    """A conditional sampler that draws class 3 whatever it is asked for."""

    num_classes = 10

    def generate(self, n, labels=None, seed=None):
        return pixel_images(np.full(n, 3), seed)


def test_scorer_counts_confident_samples_classes_and_agreement_by_hand():
    labels = np.arange(1000) % 10
    reference = (pixel_images(labels, 0), labels)
    ceiling = (pixel_images(labels, 1), labels)
    scorer = bench_quality.Scorer(PixelExtractor(), reference, ceiling, seed=0, kid_subsets=2)
    assert scorer.n == 1000 and scorer.n_reference == 1000
    real = scorer.ceiling
    assert real["confident"] == 0.5  # the even classes
    assert real["classes"] == 10 and real["histogram"] == [100] * 10
    assert real["agree"] == 1.0
    assert real["fid"] < 0.01  # same class mix, jitter of the same law
    assert scorer.score(reference)["fid"] < 1e-6
    fake = scorer.score(OneClassSampler())
    assert fake["confident"] == 0.0 and fake["classes"] == 1 and fake["histogram"][3] == 1000
    assert fake["agree"] == pytest.approx(0.1)  # asked for each class equally often, always class 3
    assert fake["fid"] > 100 * real["fid"]


def test_scorer_scores_at_most_n_images():
    labels = np.arange(200) % 10
    scorer = bench_quality.Scorer(PixelExtractor(), (pixel_images(labels, 0), labels), (pixel_images(labels, 1), labels), n=50,
                                   kid_subsets=2)
    assert scorer.n == 50 and sum(scorer.ceiling["histogram"]) == 50
    assert sum(scorer.score(OneClassSampler())["histogram"]) == 50


def test_goals_read_the_largest_budget_up_to_10_minutes_against_the_real_ceiling():
    ceiling = {"fid": 1.0, "confident": 0.86, "histogram": [1] * 10}

    def entry(fid, confident, classes):
        return {"scores": {"fid": fid, "confident": confident, "classes": classes}}

    results = {
        "kgan": {"budgets": {"2": entry(5.0, 0.70, 9), "10": entry(2.5, 0.83, 10), "20": entry(9.0, 0.5, 3)}},
        "ref": {"budgets": {"2": entry(50.0, 0.1, 1), "10": entry(25.0, 0.2, 2), "20": entry(9.0, 0.5, 3)}},
    }
    trainers = [type("T", (), {"name": "kgan", "kind": "kgan"}), type("T", (), {"name": "ref", "kind": "keras.io"})]
    goal = bench_quality.goals(results, ceiling, trainers)
    assert set(goal) == {"kgan"}
    g = goal["kgan"]
    assert g["budget_minutes"] == 10.0 and g["fid_over_real"] == 2.5 and g["fid_within_3x_real"]
    assert g["confident_gap_points"] == pytest.approx(3.0) and g["confident_within_5_points"] and g["every_class_covered"]
    assert g["fid_ratio_keras_io_over_kgan"] == {"2": 10.0, "10": 10.0, "20": 1.0}


def test_classifier_scores_balanced_accuracy_and_rare_recall_by_hand():
    y_test = np.repeat(np.arange(10), 10)
    predicted = y_test.copy()
    predicted[y_test == 2] = [2] * 4 + [0] * 6  # class 2: recall 0.4
    predicted[y_test == 5] = [5] * 8 + [1] * 2  # class 5: recall 0.8

    class Model:
        def predict(self, x, batch_size=None, verbose=0):
            return np.eye(10)[predicted]

    scores = bench_imbalance.classifier_scores(Model(), np.zeros((100, 1)), y_test, rare=[2, 5, 7])
    assert scores["recall"][2] == 0.4 and scores["recall"][5] == 0.8 and scores["recall"][0] == 1.0
    assert scores["balanced_accuracy"] == pytest.approx((8 + 0.4 + 0.8) / 10)
    assert scores["rare_recall"] == pytest.approx((0.4 + 0.8 + 1.0) / 3)
    assert scores["accuracy"] == pytest.approx(0.92)


def test_imbalance_summary_gives_means_and_the_paired_gain_over_real_only():
    def run(real, over):
        return {"classifiers": {
            "real only": {"balanced_accuracy": real, "rare_recall": 0.1, "accuracy": real},
            "oversampling": {"balanced_accuracy": over, "rare_recall": 0.5, "accuracy": over},
        }}

    summary, table = bench_imbalance.summarize({0: run(0.80, 0.90), 1: run(0.84, 0.96)})
    assert summary["oversampling"]["balanced_accuracy"]["mean"] == pytest.approx(0.93)
    assert summary["oversampling"]["balanced_accuracy"]["std"] == pytest.approx(0.03)
    assert "| oversampling | 93.0 ± 3.0" in table.replace("  ", " ").replace("  ", " ")
    assert "+11.0" in table  # mean of the paired differences 0.10 and 0.12


# Little data: summary and resuming ----------------------------------------------------------------


def history(*fids, p=None):
    entries = [{"steps": 8 * (i + 1), "scores": {"fid": f, "confident": 0.9}} for i, f in enumerate(fids)]
    if p is not None:
        entries[-1]["ada_p"] = p
    return entries


def test_little_data_summary_reports_final_and_best_fid_over_seeds():
    args = bench_little_data.parse_args(["--augments", "none", "ada"])
    results = {"digits": {
        0: {"history": {"none": history(9.0, 3.0, 4.0), "ada": history(8.0, 6.0, p=0.25)}},
        1: {"history": {"none": history(7.0, 2.0, 2.0), "ada": history(9.0, 5.0, p=0.0)}},
    }}
    summary, table = bench_little_data.summarize(results, args)
    assert summary["digits"]["none"]["final_fid"] == [4.0, 2.0] and summary["digits"]["none"]["best_fid"] == [3.0, 2.0]
    assert summary["digits"]["none"]["final_fid_mean"] == 3.0 and summary["digits"]["none"]["final_fid_std"] == 1.0
    assert summary["digits"]["ada"]["ada_p"] == [0.25, 0.0]
    assert "0.25, 0.00" in table


def test_little_data_resume_keeps_the_groups_in_the_json_and_runs_the_others(tmp_path, monkeypatch):
    out = tmp_path / "l.json"
    ran = []

    def fake_group(spec, seed, args, cache, grids):
        ran.append((spec, seed))
        return {"examples": 10, "steps": 16,
                "history": {a: history(float(seed + 1), p=0.0 if a == "ada" else None) for a in args.augments}}

    def fake_setting(spec, args, cache):
        ceiling = type("S", (), {"ceiling": {"fid": 0.5, "confident": 0.9}, "n": 100})()
        cache.setdefault("digits", (None, ceiling, 0.97))
        return "", None, ceiling, 0.97, 16

    monkeypatch.setattr(bench_little_data, "run_group", fake_group)
    monkeypatch.setattr(bench_little_data, "setting", fake_setting)
    common = ["--datasets", "digits", "--figures", str(tmp_path), "--json", str(out)]
    bench_little_data.main(common + ["--digits-seeds", "0"])
    assert ran == [("digits", 0)]
    payload = bench_little_data.main(common + ["--digits-seeds", "0", "1", "--resume"])
    assert ran == [("digits", 0), ("digits", 1)]  # seed 0 was kept
    assert payload["resumed"] == ["digits seed 0"] and len(payload["argvs"]) == 2
    saved = json.loads(out.read_text())
    assert sorted(saved["results"]["digits"]) == ["0", "1"]
    assert saved["summary"]["digits"]["none"]["final_fid"] == [1.0, 2.0]
    # A resumed run naming another training set keeps the file's digits groups whole.
    payload = bench_little_data.main(["--datasets", "mnist:10", "--mnist-seeds", "3", "--resume"] + common[2:])
    assert ran[-1] == ("mnist:10", 3) and len(ran) == 3
    assert sorted(payload["results"]) == ["digits", "mnist:10"] and sorted(payload["results"]["digits"]) == [0, 1]
    assert payload["summary"]["digits"]["none"]["final_fid"] == [1.0, 2.0]
    # Without --resume every group runs again.
    bench_little_data.main(common + ["--digits-seeds", "0"])
    assert ran[-1] == ("digits", 0) and len(ran) == 4


# Speed ------------------------------------------------------------------------------------------


def test_measure_speed_takes_the_median_per_step_after_warm_up():
    import bench_faster_steps

    class Scripted:
        def __init__(self, name, durations, steps_per_call):
            self.name, self.durations, self.steps_per_call = name, list(durations), steps_per_call

        def call(self):
            return self.durations.pop(0)

    a = Scripted("a", [50.0, 0.8, 0.9, 100.0], 8)  # one warm-up call; then 0.8, 0.9, 100 s per 8 steps
    b = Scripted("b", [50.0, 0.2, 0.1, 0.3], 1)
    seconds = bench_faster_steps.measure_speed([a, b], calls=3, warmup=1)
    assert seconds == {"a": pytest.approx(0.9 / 8), "b": pytest.approx(0.2)}
    assert a.durations == [] and b.durations == []


def test_variant_options_read_the_three_speed_flags_and_refuse_others():
    import bench_faster_steps

    assert bench_faster_steps.variant_options("") == {"r1_interval": 1, "reuse_fakes": False, "bf16": False}
    assert bench_faster_steps.variant_options(bench_faster_steps.VARIANTS["lazy+reuse+bf16"]) == {
        "r1_interval": 16, "reuse_fakes": True, "bf16": True}
    with pytest.raises(ValueError, match="Expected variants"):
        bench_faster_steps.variant_options("--augment ada")


def tiny_networks(latent_dim):
    import keras

    generator = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(8 * 8),
                                  keras.layers.Reshape((8, 8, 1))])
    discriminator = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, strides=2),
                                      keras.layers.Flatten(), keras.layers.Dense(1)])
    return generator, discriminator


def test_networks_trainer_trains_given_networks_with_a_variants_options():
    import bench_faster_steps

    images = np.random.default_rng(0).uniform(-1, 1, (128, 8, 8, 1)).astype("float32")
    lazy = bench_faster_steps.NetworksTrainer("lazy", tiny_networks, 4, images, "--r1-interval 4 --reuse-fakes")
    assert lazy.model.r1_interval == 4 and lazy.model.reuse_fakes and lazy.policy == "float32"
    # StyleGAN2's Adam adjustment: learning rate x 4/5, beta_1 = 0.5 ** (4/5).
    assert float(lazy.model.d_optimizer.learning_rate) == pytest.approx(2e-4 * 0.8)
    assert float(lazy.model.d_optimizer.beta_1) == pytest.approx(0.5**0.8)
    before = lazy.model.discriminator.get_weights()[0].copy()
    lazy.call()
    lazy.call()
    assert lazy.steps == 2 and int(lazy.model.d_optimizer.iterations.numpy()) == 2
    assert not np.allclose(before, lazy.model.discriminator.get_weights()[0])
    bf16 = bench_faster_steps.NetworksTrainer("bf16", tiny_networks, 4, images, "--bf16")
    assert bf16.policy == "mixed_bfloat16" and bf16.model.generator.layers[0].compute_dtype == "bfloat16"
    bf16.call()
    assert np.isfinite(bf16.logs["d_loss"])


# Imbalance: the classifier streams' shares --------------------------------------------------------


def constant_generator(num_classes=10):
    """A conditional Keras generator whose images are all +1 (real test images here are all -1)."""
    import keras

    z = keras.Input((4,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    embedded = keras.layers.Embedding(num_classes, 16, embeddings_initializer="zeros", name="label_embedding")(label)
    dense = keras.layers.Dense(16, kernel_initializer="zeros", bias_initializer="ones")(z)
    image = keras.layers.Reshape((4, 4, 1))(keras.layers.Add()([dense, embedded]))
    return keras.Model([z, label], image)


def test_classifier_streams_top_up_the_deficits_with_the_shares_they_claim():
    counts = [40, 40, 40, 40, 4, 4, 40, 40, 40, 40]  # classes 4 and 5 rare
    y = np.repeat(np.arange(10), counts)
    x = -np.ones((len(y), 4, 4, 1), "float32")
    streams = bench_imbalance.classifier_streams(x, y, {"g": constant_generator()}, seed=0, top_ups=bench_imbalance.TOP_UPS)
    assert list(streams) == ["real only", "oversampling", "class weights", "GAN top-up (g)",
                             "GAN half top-up + class weights (g)", "GAN top-up + oversampling (g)"]

    def batches(name, n=20):
        out = [tuple(np.asarray(t) for t in b) for b in streams[name].take(n)]
        synthetic = np.concatenate([b[0][:, 0, 0, 0] > 0 for b in out])
        labels = np.concatenate([b[1] for b in out])
        return out, synthetic, labels

    # Full top-up: deficits 2 x 36 = 72 of 328 + 72 examples -> round(0.18 x 64) = 12 synthetic per batch,
    # every one of a rare class.
    out, synthetic, labels = batches("GAN top-up (g)")
    assert all(int((b[0][:, 0, 0, 0] > 0).sum()) == 12 for b in out)
    assert set(labels[synthetic].tolist()) == {4, 5}
    # Half top-up: 36 synthetic of 328 + 36 -> round(6.3) = 6 per batch, weights equalising the classes'
    # mixed shares (a rare class: 4 real + 18 synthetic of 364).
    out, synthetic, labels = batches("GAN half top-up + class weights (g)")
    assert all(int((b[0][:, 0, 0, 0] > 0).sum()) == 6 for b in out)
    weights = {int(c): float(w) for b in out for c, w in zip(b[1], b[2])}
    assert weights[0] == pytest.approx(364 / (10 * 40)) and weights[4] == pytest.approx(364 / (10 * 22))
    # Top-up + oversampling: balanced batches in which the rare classes' half is synthetic: 2/10/2 of 64 = 6.
    out, synthetic, labels = batches("GAN top-up + oversampling (g)", n=40)
    assert all(int((b[0][:, 0, 0, 0] > 0).sum()) == round(0.1 * 64) for b in out)
    assert set(labels[synthetic].tolist()) == {4, 5}
    shares = np.bincount(labels, minlength=10) / len(labels)
    np.testing.assert_allclose(shares, 0.1, atol=0.03)  # still class-balanced
    # Oversampling alone: class-balanced, all real; class weights: N / (classes x count).
    _, synthetic, labels = batches("oversampling", n=40)
    assert not synthetic.any()
    np.testing.assert_allclose(np.bincount(labels, minlength=10) / len(labels), 0.1, atol=0.03)
    out, _, _ = batches("class weights", n=5)
    weights = {int(c): float(w) for b in out for c, w in zip(b[1], b[2])}
    assert weights[0] == pytest.approx(328 / 400) and weights.get(4, 328 / 40) == pytest.approx(328 / 40)


# End to end, tiny ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_bench_quality_runs_end_to_end_on_digits(tmp_path):
    out = tmp_path / "q.json"
    payload = bench_quality.main([
        "--dataset", "digits", "--budgets", "0.05", "--n", "100", "--evaluator-epochs", "1",
        "--kgan", "tiny: --preset dcgan_tiny --steps-per-execution 2", "--no-keras-io",
        "--cache-dir", str(tmp_path), "--figures", str(tmp_path), "--json", str(out),
    ])
    assert json.loads(out.read_text())["results"]["tiny"]["budgets"]["0.05"]["steps"] > 0
    assert payload["real_held_out"]["classes"] >= 1
    assert (tmp_path / "bench_quality_0.05min.png").exists()


@pytest.mark.slow
def test_bench_little_data_and_faster_steps_run_end_to_end(tmp_path):
    import bench_faster_steps

    little = bench_little_data.main([
        "--datasets", "digits", "--digits-seeds", "0", "--steps", "16", "--score-every", "8",
        "--flags", "--preset dcgan_tiny --steps-per-execution 8", "--evaluator-epochs", "1",
        "--cache-dir", str(tmp_path), "--figures", str(tmp_path), "--json", str(tmp_path / "l.json"),
    ])
    assert set(little["summary"]["digits"]) == {"none", "diffaugment", "ada"}
    assert len(little["results"]["digits"][0]["history"]["ada"]) == 2
    faster = bench_faster_steps.main([
        "--parts", "default_run", "--variants", "baseline", "lazy R1", "--seeds", "0", "--epochs", "1",
        "--evaluator-epochs", "1", "--cache-dir", str(tmp_path), "--figures", str(tmp_path),
        "--json", str(tmp_path / "f.json"),
    ])
    assert set(faster["default_run"]["summary"]) == {"baseline", "lazy R1"}



def tiny_npz(path, per_class=20, size=12):
    """An MNIST-like .npz: uint8 images, class c a bright row at height c, plus noise."""
    rng = np.random.default_rng(0)

    def split(n):
        labels = np.repeat(np.arange(10), n)
        images = rng.integers(0, 40, (len(labels), size, size)).astype("uint8")
        images[np.arange(len(labels)), labels + 1, :] = 255
        return images, labels.astype("uint8")

    (x_train, y_train), (x_test, y_test) = split(per_class), split(per_class // 2)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return str(path)


@pytest.mark.slow
def test_bench_imbalance_runs_end_to_end_on_a_tiny_npz(tmp_path):
    data = tiny_npz(tmp_path / "tiny.npz")
    payload = bench_imbalance.main([
        "--mnist", data, "--rare", "2", "5", "--keep", "0.1", "--seeds", "0", "--gans", "plain", "balanced+diffaugment",
        "--gan-steps", "8", "--gan-flags", "--preset dcgan_tiny --steps-per-execution 4", "--clf-steps", "5",
        "--evaluator-epochs", "1", "--cache-dir", str(tmp_path), "--figures", str(tmp_path), "--json", str(tmp_path / "i.json"),
    ])
    run = payload["seeds"][0]
    assert run["class_counts"] == [20, 20, 2, 20, 20, 2, 20, 20, 20, 20]
    assert run["gans"]["plain"]["steps"] == 8 and len(run["gans"]["balanced+diffaugment"]["per_class_agree"]) == 10
    assert len(run["classifiers"]) == 3 + 2 * 3
    for scores in run["classifiers"].values():
        assert 0 <= scores["balanced_accuracy"] <= 1 and len(scores["recall"]) == 10
    assert json.loads((tmp_path / "i.json").read_text())["table"] == payload["table"]
    assert (tmp_path / "bench_imbalance_gans.png").exists()


@pytest.mark.slow
def test_augment_benchmark_builds_the_gan_of_kgan_train_flags(tmp_path):
    import augment_benchmark

    data = tiny_npz(tmp_path / "tiny.npz", per_class=10)
    out = tmp_path / "a.json"
    augment_benchmark.main([
        "--dataset", data, "--labels-per-class", "4", "--seeds", "0", "--gan-steps", "8", "--clf-steps", "5",
        "--gan-flags", "--preset dcgan_tiny --augment diffaugment --steps-per-execution 4", "--no-raw-generator",
        "--fractions", "0.25", "--min-confidence", "0", "--truncation", "0", "--json", str(out), "--quiet",
    ])
    saved = json.loads(out.read_text())
    rows = saved["summary"]["4"]
    assert set(rows) == {"real only", "+ GAN (EMA G), 25% synthetic", "synthetic only (EMA G): GAN score"}
    for row in rows.values():
        assert row["failed"] == 0 and 0 <= row["mean"] <= 1
    assert rows["real only"]["delta_mean"] == 0.0
