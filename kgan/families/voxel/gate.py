"""3D-GAN's discriminator gate: update D only while its accuracy on the batch is below a threshold.

Wu et al. 2016 (arXiv 1610.07584, section 3.2): "we only update the
discriminator if its accuracy in the last batch is not higher than 80%",
which keeps D from outrunning G on 3D shapes. Here the accuracy is that of
the D step about to be applied: the fraction of its real logits above 0 and
fake logits below 0 (D's probability on the right side of 0.5), over the
global batch. The step is skipped whole, Adam's moments and step count
included, inside the compiled step (`tf.cond`), so the gate is deterministic
and a resumed run gates as the uninterrupted one did.
"""

import tensorflow as tf


def batch_accuracy(real_logits, fake_logits):
    """D's accuracy on a batch (real logits > 0, fake logits < 0), averaged over replicas.

    Every replica gets the same value, so every replica takes the same branch.
    """
    correct = tf.concat(
        [tf.reshape(tf.cast(real_logits, tf.float32) > 0, [-1]), tf.reshape(tf.cast(fake_logits, tf.float32) < 0, [-1])],
        axis=0,
    )
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    context = tf.distribute.get_replica_context()
    # Replicas hold equal slices of the batch: the mean of means is the global mean.
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, accuracy) if context is not None else accuracy


def apply_if(condition, optimizer, grads, variables):
    """`optimizer.apply(grads, variables)` when the scalar bool `condition` holds, else nothing.

    Under a distribution strategy that all-reduces gradients by merge calls
    (MirroredStrategy), a `tf.cond` whose branch merges must run in the
    cross-replica context; Keras' `LossScaleOptimizer` gates its own steps
    the same way.
    """
    if tf.distribute.has_strategy() and not tf.__internal__.distribute.strategy_supports_no_merge_call():

        def cross_replica(distribution, condition, grads):
            # Every replica computed the same condition (`batch_accuracy`); take the first.
            flag = distribution.experimental_local_results(condition)[0]

            def apply():
                distribution.extended.call_for_each_replica(optimizer.apply, args=(grads, variables))

            tf.cond(flag, apply, lambda: None)

        tf.distribute.get_replica_context().merge_call(cross_replica, args=(condition, grads))
        return
    tf.cond(condition, lambda: optimizer.apply(grads, variables), lambda: None)
