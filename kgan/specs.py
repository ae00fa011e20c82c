"""What a model takes and returns: named tensors with roles.

A model describes its exported network with a `ModelSpec`; export writes it
into `card.json`, and `kgan.inference`, `kgan serve`, `kgan sample` and
`kgan evaluate` read it back instead of assuming `z` and `labels`. Imports
nothing heavier than the standard library.

Roles:
- `"noise"`: a latent vector, float32 `(batch, dim)`, drawn N(0, 1);
- `"label"`: a class index, int32 `(batch,)`, in `[0, num_classes)`;
- `"image"`: float32 `(batch, *shape)` in `value_range` (any rank: images,
  volumes), `None` for spatial sizes a fully convolutional network accepts;
- `"seed"` and `"count"`: the int64 / int32 scalars of the `sample` signature,
  which draws the noise on the server.
"""

import dataclasses

ROLES = ("noise", "label", "image", "seed", "count")
TASKS = ("generate", "translate", "upscale")


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """One named input or output of an exported network.

    Attributes:
        name: the tensor's name in the SavedModel, ONNX graph and requests.
        shape: the shape without the batch dimension; `None` for a size the
            network accepts at any value.
        dtype: `"float32"`, `"int32"` or `"int64"`.
        role: one of `ROLES`.
        num_classes: the number of classes, for a `"label"`.
        value_range: `(low, high)`, for an `"image"`.
    """

    name: str
    shape: tuple
    dtype: str
    role: str
    num_classes: int | None = None
    value_range: tuple | None = None

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"Expected `role` to be one of {ROLES}. Received: role={self.role!r}")
        object.__setattr__(self, "shape", tuple(None if d is None else int(d) for d in self.shape))
        if self.value_range is not None:
            object.__setattr__(self, "value_range", tuple(float(v) for v in self.value_range))

    def to_json(self):
        values = dataclasses.asdict(self)
        values["shape"] = list(self.shape)
        values["value_range"] = None if self.value_range is None else list(self.value_range)
        return {key: value for key, value in values.items() if value is not None or key in ("shape",)}

    @classmethod
    def from_json(cls, values):
        return cls(**{**values, "shape": tuple(values["shape"])})


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """The exported network of a model: its task, inputs and outputs.

    Attributes:
        task: `"generate"` (noise [and label] to image), `"translate"`
            (image to image) or `"upscale"` (low- to high-resolution image);
            also the name of the SavedModel signature beside `serving_default`.
        inputs: the `TensorSpec`s of the inputs, in the network's order.
        outputs: the `TensorSpec`s of the outputs.
        scale: the upscaling factor of an `"upscale"` model, else None.
    """

    task: str
    inputs: tuple
    outputs: tuple
    scale: int | None = None

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"Expected `task` to be one of {TASKS}. Received: task={self.task!r}")
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "outputs", tuple(self.outputs))

    def input(self, role):
        """The first input with `role`, or None."""
        return next((spec for spec in self.inputs if spec.role == role), None)

    @property
    def output(self):
        return self.outputs[0]

    @property
    def noise(self):
        return self.input("noise")

    @property
    def label(self):
        return self.input("label")

    @property
    def latent_dim(self):
        return None if self.noise is None else self.noise.shape[0]

    @property
    def num_classes(self):
        return None if self.label is None else self.label.num_classes

    @property
    def conditional(self):
        return self.label is not None

    @property
    def image_shape(self):
        return self.output.shape

    @property
    def signatures(self):
        """Signature name -> input names, as the SavedModel and `kgan serve` have them."""
        names = [spec.name for spec in self.inputs]
        signatures = {"serving_default": names, self.task: names}
        if self.noise is not None:
            signatures["sample"] = ["n", "seed"] + [n for n in names if n != self.noise.name]
        return signatures

    def to_json(self):
        return {
            "task": self.task,
            "inputs": [spec.to_json() for spec in self.inputs],
            "outputs": [spec.to_json() for spec in self.outputs],
            "scale": self.scale,
        }

    @classmethod
    def from_json(cls, values):
        return cls(
            values["task"],
            tuple(TensorSpec.from_json(v) for v in values["inputs"]),
            tuple(TensorSpec.from_json(v) for v in values["outputs"]),
            values.get("scale"),
        )


def noise_to_image(latent_dim, image_shape, num_classes=None, value_range=(-1.0, 1.0)):
    """The spec of a `z [, labels] -> images` generator (kgan's first export format)."""
    inputs = [TensorSpec("z", (latent_dim,), "float32", "noise")]
    if num_classes is not None:
        inputs.append(TensorSpec("labels", (), "int32", "label", num_classes=num_classes))
    output = TensorSpec("images", tuple(image_shape), "float32", "image", value_range=value_range)
    return ModelSpec("generate", tuple(inputs), (output,))


def from_card(card):
    """Reads the `ModelSpec` of an export's card, including cards of kgan 0.1 (no `spec`)."""
    if card.get("spec"):
        return ModelSpec.from_json(card["spec"])
    return noise_to_image(card["latent_dim"], card["image_shape"], card.get("num_classes"))
