"""How a GAN's step is compiled: XLA selection and mixed-precision optimizers."""

import keras
import tensorflow as tf


def resolve_jit_compile(jit_compile="auto", gpus=None, distributed=None):
    """Resolves `jit_compile="auto"` to a bool.

    "auto" means XLA on a GPU, and off on a CPU (where XLA's convolution
    kernels are usually slower than oneDNN's) and under any `tf.distribute`
    strategy (XLA with MirroredStrategy fails in Keras 3).

    Args:
        jit_compile: `"auto"`, True or False.
        gpus: number of visible GPUs; detected when None.
        distributed: whether a distribution strategy is in scope; detected
            when None.
    """
    # `1 in (True, False)` holds in Python, so check the type: only bools.
    if not (isinstance(jit_compile, bool) or (isinstance(jit_compile, str) and jit_compile == "auto")):
        raise ValueError(
            f'Expected `jit_compile` to be "auto", True or False. Received: jit_compile={jit_compile!r}'
        )
    if jit_compile != "auto":
        return jit_compile
    if gpus is None:
        gpus = len(tf.config.list_logical_devices("GPU"))
    if distributed is None:
        distributed = tf.distribute.has_strategy()
    return bool(gpus) and not distributed


def get_optimizer(identifier, default_learning_rate=2e-4):
    """Returns an optimizer, wrapped for loss scaling under mixed_float16.

    Strings and None give Adam(learning_rate, beta_1=0.5), the DCGAN
    setting; a string other than "adam" goes to `keras.optimizers.get`.
    Under the `mixed_float16` policy the optimizer is wrapped in a
    `LossScaleOptimizer`, so small float16 gradients do not underflow.
    """
    if identifier is None or identifier == "adam":
        optimizer = keras.optimizers.Adam(default_learning_rate, beta_1=0.5)
    else:
        optimizer = keras.optimizers.get(identifier)
    policy = keras.config.dtype_policy().name
    if policy == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
