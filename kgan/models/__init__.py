"""Generator and discriminator builders, one architecture family per module.

Every builder returns a functional `keras.Model` with a fixed input
signature (which export needs): generators take `z` of shape
`(batch, latent_dim)` and, when conditional, integer `labels` of shape
`(batch,)`, and output float32 `images` in [-1, 1]; discriminators take
`images` (and `labels`) and output float32 logits of shape `(batch, 1)`.
"""

from kgan.models.dcgan import dcgan_discriminator
from kgan.models.dcgan import dcgan_generator
from kgan.models.mlp import mlp_discriminator
from kgan.models.mlp import mlp_generator
from kgan.models.patchgan import patchgan_discriminator
from kgan.models.presets import PRESETS
from kgan.models.presets import Preset
from kgan.models.presets import build
from kgan.models.presets import get_preset
from kgan.models.progressive import DiscriminatorLevels
from kgan.models.progressive import GeneratorLevels
from kgan.models.progressive import progressive_discriminator
from kgan.models.progressive import progressive_generator
from kgan.models.resnet import resnet_generator
from kgan.models.rrdb import rrdb_generator
from kgan.models.srresnet import srresnet_generator
from kgan.models.subpixel import PixelShuffle
from kgan.models.unet import unet_generator
from kgan.models.vgg_discriminator import vgg_discriminator
from kgan.models.voxel import voxel_discriminator
from kgan.models.voxel import voxel_generator
