"""Version folders that appear whole or not at all.

An export writes into a hidden sibling (`NAME/.tmp-N-xxxx`, which TF Serving
and Triton both ignore) and renames it to `NAME/N` only after every file is
written and checked. On any failure the staging folder is removed, and so is
`NAME/` if this export created it.
"""

import contextlib
import os
import re
import secrets
import shutil

from kgan.inference import layout

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(name):
    """A model name both servers accept in a path and a URL."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            "Expected a model name of letters, digits, '_', '.' or '-', starting with a letter "
            f"or digit. Received: name={name!r}"
        )
    return name


def choose_version(model_dir, version=None):
    """Returns `version` (checked to be new) or the next free one (1 for a new model)."""
    existing = layout.list_versions(model_dir)
    if version is None:
        return existing[-1] + 1 if existing else 1
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"Expected `version` to be a positive integer. Received: version={version!r}")
    if os.path.exists(os.path.join(model_dir, str(version))):
        raise FileExistsError(
            f"Expected a new version number. Received: version={version}, but "
            f"{os.path.join(model_dir, str(version))} exists (existing versions: {existing})"
        )
    return version


@contextlib.contextmanager
def staged_version(model_dir, version):
    """Yields a staging folder; renames it to `model_dir/version` on success."""
    created = not os.path.isdir(model_dir)
    os.makedirs(model_dir, exist_ok=True)
    staging = os.path.join(model_dir, f".tmp-{version}-{secrets.token_hex(4)}")
    os.mkdir(staging)
    try:
        yield staging
        os.rename(staging, os.path.join(model_dir, str(version)))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(model_dir)  # only if still empty
        raise

