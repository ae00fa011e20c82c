"""The `voxel` family: noise (and a class label) to a 3D occupancy grid, `kgan.VoxelGAN` (3D-GAN).

- `model.py`: `kgan.VoxelGAN`, `kgan.GAN` with 5-D grids, 3D-GAN's
  discriminator accuracy gate, rendered previews and a `voxels` export;
- `gate.py`: the gate, inside the compiled step;
- `presets.py`: the paper's settings (`3dgan`, `3dgan_32`) and small modern
  ones (`voxel_small`, the default; `voxel_tiny`);
- `config.py`: its `kgan train` settings;
- `recipe.py`: what `kgan train --family voxel` loads, builds and previews;
- `evaluator.py`: a small 3D classifier of the real shapes, for class
  agreement, classes covered and FID in its features (`kgan.metrics`' volume
  classifier and scores, under the names `tools/bench_voxel.py` uses;
  `kgan evaluator train --dataset shapes` and `kgan evaluate` give the same).

Its networks are `kgan.models.voxel_generator` / `voxel_discriminator`; its
data `kgan.data.load_voxels` (embedded procedural shapes, `.npz`, `.binvox`,
meshes); its pictures `kgan.rendering`; its meshes `kgan.meshes`.
"""
