"""The `gan` family: noise (and a class label) to image, `kgan.GAN`.

- `model.py`: `kgan.GAN`, on the adversarial base;
- `config.py`: its `kgan train` settings (architecture preset, loss,
  penalties, EMA, learning rates);
- `recipe.py`: what `kgan train` loads, builds and previews for it.

Its networks are the MLP and DCGAN builders of `kgan.models`.
"""
