"""The `pix2pix` family: paired image-to-image translation (Isola et al. 2017), `kgan.Pix2Pix`.

- `model.py`: `kgan.Pix2Pix`, on the adversarial base;
- `losses.py`: its loss terms as pure functions (conditional GAN and L1);
- `config.py`: its `kgan train` settings;
- `recipe.py`: what `kgan train --family pix2pix` loads, builds and previews.

Its networks are `kgan.models.unet_generator` and
`kgan.models.patchgan_discriminator`; its data `kgan.data.paired`.
"""
