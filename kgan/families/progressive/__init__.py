"""The `progressive` family: progressive growing of GANs (ProGAN), `kgan.ProgressiveGAN`.

- `model.py`: `kgan.ProgressiveGAN`, on the adversarial base;
- `schedule.py`: `GrowthSchedule`, the level and fade-in alpha after N images;
- `penalty.py`: how the gradient penalty stays per example through the
  minibatch standard deviation;
- `config.py`: its `kgan train` settings;
- `recipe.py`: what `kgan train --family progressive` loads, builds and previews.

Its networks are `kgan.models.progressive_generator` and
`progressive_discriminator` (`kgan/models/progressive.py`), with the layers
of `kgan/models/progressive_layers.py`.
"""
