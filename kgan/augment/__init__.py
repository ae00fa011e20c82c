"""GAN samples as training data for other Keras models.

- `synthetic_dataset(generator, batch_size, ...)`: a `tf.data.Dataset` of
  generated `(images, labels)` batches (or `images`), seeded, with balanced
  or weighted classes, in the real data's value range, dtype and size.
- `mix(real, synthetic, synthetic_fraction)`: batches with an exact share
  of synthetic examples, labels kept.
- `SyntheticReplacement(generator, fraction)`: a layer that replaces part
  of each training batch with generated images (identity at inference).
- `confidence_filter(classifier, min_confidence)`: rejects samples that a
  classifier does not recognise as their class (`synthetic_dataset(accept=...)`).

```python
synthetic = kgan.augment.synthetic_dataset(gan, batch_size=64, seed=0)
classifier.fit(kgan.augment.mix(real, synthetic, 0.25), epochs=10)
```
"""

from kgan.augment.filters import confidence_filter
from kgan.augment.mixing import mix
from kgan.augment.replacement import SyntheticReplacement
from kgan.augment.sampler import as_sampler
from kgan.augment.synthetic import synthetic_dataset
