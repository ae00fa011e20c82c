"""The gradient penalty through minibatch standard deviation, kept per example.

WGAN-GP needs, for each interpolate `x_i`, the gradient of its own score
`D(x_i)` with respect to `x_i`. kgan computes every example's gradient at
once as the gradient of `sum_j D(x_j)` (`kgan.base.penalties`), which is
exact only when no score depends on another example's input. Minibatch
standard deviation breaks that: each score sees the statistic `s(x_1..x_B)`
of its group, so `d/dx_i sum_j D(x_j, s)` adds to `dD(x_i, s)/dx_i` the
terms `sum_j dD(x_j, s)/ds * ds/dx_i` from the other examples' scores. The
official ProGAN code accepts that mix; the base refuses it for any
batch-coupled layer.

ProGAN keeps the layer and makes the penalty exact: the penalty pass runs D
with the statistic held constant to the gradient (`MinibatchStdDev(...,
stop_gradient=True)`, same value). Then `D(x_j, s)` has no gradient path to
`x_i` for `j != i`, and the sum trick gives exactly each example's own
gradient `dD(x_i, s)/dx_i`: the slope of the critic the example is scored
by, with its batch context `s` fixed. What the penalty leaves out is only
`dD/ds * ds/dx_i`, an input's effect on its own group statistic, which is
the coupling the penalty is not about (Lipschitz continuity of the critic
in its input). `tests/families/progressive/test_penalty.py` checks it
against per-example Jacobians. The main loss still trains through the
statistic, so D keeps the layer's benefit.

Any other batch-coupled layer (batch norm) is refused as the base refuses it.
"""

from kgan.base import penalties
from kgan.models import progressive


def check_exact(discriminator, gp_weight):
    """Raises `ValueError` if a gradient penalty is set and D couples examples other than by minibatch stddev.

    The container's `MinibatchStdDev` layer is allowed: the penalty pass
    holds its statistic constant (see the module docstring).
    """
    if not gp_weight:
        return
    stddev = progressive.minibatch_stddev_layer(discriminator)
    handled = {stddev.name} if stddev is not None else set()
    others = [name for name in penalties.batch_coupled_layers(discriminator) if name not in handled]
    if others:
        raise ValueError(
            f"Expected a discriminator without batch-coupled layers other than its minibatch standard "
            f"deviation when a gradient penalty is set (gp_weight={gp_weight}): the penalty needs each "
            f"example's own input gradient. Received: a discriminator with {others}"
        )
