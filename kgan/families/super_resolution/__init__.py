"""The `super_resolution` family: low- to high-resolution images, `kgan.SuperResolutionGAN`.

SRGAN (Ledig et al. 2017, arXiv 1609.04802) and ESRGAN (Wang et al. 2018,
arXiv 1809.00219): a PSNR-oriented pre-training, then GAN fine-tuning, in one
`kgan train` run.

- `model.py`: `kgan.SuperResolutionGAN`, on the adversarial base;
- `losses.py`: pixel, relativistic average and standard GAN losses;
- `perceptual.py`: the VGG19 perceptual loss (weights from a local file, or
  downloaded only when asked);
- `quality.py`: PSNR and SSIM on the Y channel, as the SR literature reports;
- `tiling.py`: upscaling images of any size in overlapping tiles;
- `config.py`, `recipe.py`: what `kgan train --family super_resolution` does.

Its networks are `kgan.models.rrdb_generator`, `srresnet_generator` and
`vgg_discriminator`; its data `kgan.data.photos`, `degradation`, `patches`
and `full_images`.
"""
