"""Checks that a run on the embedded digits produces recognisable digits.

A classifier trained on the real 8x8 digits (scikit-learn's SVC, ~99% test
accuracy) labels generated samples. For a conditional GAN we report how often
it agrees with the requested class; for any GAN, the histogram of predicted
classes shows whether all ten digits appear (mode coverage).

    python tools/check_default_run.py runs/RUN [--n 1000] [--json out.json] [--figure out.png]

`--ema-statistics raw` samples the EMA generator with the raw generator's
batch-norm statistics (kgan 0.1's behaviour) instead of its own standing
statistics, to measure what they change.
"""

import argparse
import json
import sys

import numpy as np


def real_digit_classifier():
    from sklearn import datasets, svm

    from kgan.data import digits

    bunch = datasets.load_digits()
    train = digits.split_indices(bunch.target, "train")
    test = digits.split_indices(bunch.target, "test")
    clf = svm.SVC(gamma=0.001, C=10.0).fit(bunch.data[train], bunch.target[train])
    return clf, float(clf.score(bunch.data[test], bunch.target[test]))


def to_digit_features(images):
    """float [-1, 1] (n, s, s, 1) -> sklearn digits features (n, 64) in [0, 16]."""
    import tensorflow as tf

    small = tf.image.resize(images, (8, 8), method="area", antialias=True).numpy()
    return ((small[..., 0] + 1.0) * 8.0).reshape(len(images), 64)


def mean_pairwise_distance(features):
    diff = features[:, None, :] - features[None, :, :]
    return float(np.sqrt((diff**2).sum(-1)).sum() / max(1, len(features) * (len(features) - 1)))


def diversity_ratio(fake_features, fake_classes):
    """Mean within-class pairwise distance of fakes over that of real digits.

    1.0 means generated digits of a class vary as much as real ones; near 0
    means the generator collapsed to one image per class.
    """
    from sklearn import datasets

    bunch = datasets.load_digits()
    ratios = []
    for c in range(10):
        fake = fake_features[fake_classes == c][:200]
        real = bunch.data[bunch.target == c][:200]
        if len(fake) > 1:
            ratios.append(mean_pairwise_distance(fake) / mean_pairwise_distance(real))
    return float(np.mean(ratios))


def sample(gan, n, labels, seed, ema_statistics):
    """`gan.generate`, or the EMA generator with the raw generator's batch-norm statistics."""
    if ema_statistics == "standing" or gan.ema_generator is None:
        return gan.generate(n, labels=labels, seed=seed)
    from kgan import latent
    from kgan.base import ema

    for average, raw in zip(ema.batch_norm_layers(gan.ema_generator), ema.batch_norm_layers(gan.generator)):
        average.moving_mean.assign(raw.moving_mean)
        average.moving_variance.assign(raw.moving_variance)
    z = latent.sample_latent(n, gan.latent_dim, seed)
    inputs = z if labels is None else [z, labels.astype("int32")]
    return np.asarray(gan.ema_generator.predict(inputs, batch_size=256, verbose=0))


def check(src, n=1000, seed=123, ema_statistics="standing"):
    from kgan.training import loading

    gan = loading.load_model(src)
    clf, real_accuracy = real_digit_classifier()
    labels = None if gan.num_classes is None else np.arange(n) % gan.num_classes
    samples = sample(gan, n, labels, seed, ema_statistics)
    predicted = clf.predict(to_digit_features(samples))
    report = {
        "source": src,
        "n": n,
        "ema_statistics": ema_statistics,
        "classifier_real_test_accuracy": real_accuracy,
        "predicted_class_histogram": np.bincount(predicted, minlength=10).tolist(),
        "classes_covered": int((np.bincount(predicted, minlength=10) >= n * 0.02).sum()),
    }
    report["diversity_ratio"] = diversity_ratio(to_digit_features(samples), predicted)
    if labels is not None:
        report["agreement_with_requested_class"] = float((predicted == labels).mean())
        report["per_class_agreement"] = [float((predicted[labels == c] == c).mean()) for c in range(10)]
    return report, gan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", help="run directory or .keras file trained on the digits")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--json", default=None, help="write the report here")
    parser.add_argument("--figure", default=None, help="write a grid (one row per class) here")
    parser.add_argument("--ema-statistics", choices=("standing", "raw"), default="standing",
                        help="EMA generator's batch-norm statistics: its own (default) or the raw generator's")
    args = parser.parse_args(argv)
    report, gan = check(args.src, args.n, ema_statistics=args.ema_statistics)
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if args.figure:
        from kgan import images

        labels = None if gan.num_classes is None else np.repeat(np.arange(10), 10)
        grid = images.make_grid(sample(gan, 100, labels, 7, args.ema_statistics), rows=10, scale=4)
        images.save_png(grid, args.figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
