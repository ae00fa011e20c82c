"""The `cyclegan` family: unpaired image-to-image translation (Zhu et al. 2017), `kgan.CycleGAN`.

- `model.py`: `kgan.CycleGAN`, on the adversarial base (four networks, four optimizers);
- `losses.py`: its loss terms as pure functions (least-squares GAN, cycle, identity);
- `image_pool.py`: the discriminators' history of generated images;
- `schedule.py`: `LinearDecay`, the constant-then-linear learning rate;
- `config.py`: its `kgan train` settings;
- `recipe.py`: what `kgan train --family cyclegan` loads, builds and previews.

Its networks are `kgan.models.resnet_generator` and
`kgan.models.patchgan_discriminator`; its data `kgan.data.unpaired`.
"""
