"""`LinearDecay`: CycleGAN's learning rate, constant and then linearly down to zero.

Zhu et al. 2017 (section 4): "We keep the same learning rate for the first
100 epochs and linearly decay the rate to zero over the next 100 epochs."
The schedule counts optimizer steps (each network's optimizer steps once
per train step, so the four schedules agree); `kgan train` converts its
epochs into steps.
"""

import keras
import tensorflow as tf

from kgan import checks


@keras.saving.register_keras_serializable(package="kgan")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`learning_rate` for `constant_steps` steps, then linearly to 0 over `decay_steps` steps.

    At step `s`: `learning_rate * min(1, max(0, 1 - (s - constant_steps) / decay_steps))`;
    with `decay_steps=0` the rate stays constant.

    Example:

    ```python
    from kgan.families.cyclegan.schedule import LinearDecay

    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=100)
    [float(schedule(s)) for s in (0, 100, 150, 200, 300)]   # [2e-4, 2e-4, 1e-4, 0.0, 0.0]
    ```
    """

    def __init__(self, learning_rate, constant_steps, decay_steps, name="linear_decay"):
        self.learning_rate = checks.number("learning_rate", learning_rate, 0.0, low_open=True)
        self.constant_steps = checks.integer("constant_steps", constant_steps, minimum=0)
        self.decay_steps = checks.integer("decay_steps", decay_steps, minimum=0)
        self.name = name

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        if not self.decay_steps:
            return tf.fill([], tf.constant(self.learning_rate, tf.float32))
        progress = (step - float(self.constant_steps)) / float(self.decay_steps)
        return self.learning_rate * tf.clip_by_value(1.0 - progress, 0.0, 1.0)

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
            "name": self.name,
        }
