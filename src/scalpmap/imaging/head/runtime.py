"""Run the packaged MediaPipe ``.tflite`` models with LiteRT: loaded lazily, once, thread-safe.

The model files ship inside the package (``scalpmap/imaging/head/models/``, see the README there).
A missing or broken file raises :class:`HeadModelError` with one line that names the fix.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.model import HeadModelError

MODELS_DIR = Path(__file__).resolve().parent / "models"

# The models this package uses, by short name.
MODEL_FILES: dict[str, str] = {
    "face_detection": "face_detection_short_range.tflite",
    "face_mesh": "face_landmark.tflite",
    "iris": "iris_landmark.tflite",
    "selfie_segmentation": "selfie_segmentation.tflite",
}

REINSTALL_HINT = "reinstall the scalpmap package (pip install --force-reinstall scalpmap)"

# LiteRT prints one INFO line on stderr when it creates its CPU delegate; it is not for users.
_LITERT_INFO_PREFIX = b"INFO: Created TensorFlow Lite XNNPACK delegate"

_load_lock = threading.Lock()
_cache_lock = threading.Lock()


@dataclass
class LoadedModel:
    """A LiteRT interpreter with its input and output tensor indices.

    Attributes
    ----------
    name : str
        The model's file name.
    input_shape : tuple of int
        Shape of the single input tensor, e.g. ``(1, 192, 192, 3)``.
    """

    name: str
    interpreter: object
    input_index: int
    input_shape: tuple[int, ...]
    output_indices: tuple[int, ...]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, tensor: NDArray[np.float32]) -> list[NDArray[np.float32]]:
        """Run the model on one input tensor.

        Parameters
        ----------
        tensor : ndarray of float32
            The input, of shape :attr:`input_shape`.

        Returns
        -------
        list of ndarray of float32
            The outputs, in the model's order, copied out of the interpreter.
        """
        interpreter = self.interpreter
        with self.lock:
            interpreter.set_tensor(self.input_index, np.ascontiguousarray(tensor, np.float32))  # type: ignore[attr-defined]
            interpreter.invoke()  # type: ignore[attr-defined]
            return [
                np.array(interpreter.get_tensor(index), dtype=np.float32)  # type: ignore[attr-defined]
                for index in self.output_indices
            ]


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide LiteRT's delegate INFO line on the process's stderr; other lines are passed on."""
    try:
        stderr_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved_fd = os.dup(stderr_fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), stderr_fd)
        try:
            yield
        finally:
            os.dup2(saved_fd, stderr_fd)
            os.close(saved_fd)
            sink.seek(0)
            other = [
                line
                for line in sink.read().splitlines(True)
                if not line.startswith(_LITERT_INFO_PREFIX)
            ]
            if other:
                os.write(stderr_fd, b"".join(other))


def load_model_file(path: Path) -> LoadedModel:
    """Load one ``.tflite`` file into a LiteRT interpreter (not cached; see :func:`get_model`).

    Parameters
    ----------
    path : Path
        The model file.

    Returns
    -------
    LoadedModel
        The ready interpreter.

    Raises
    ------
    HeadModelError
        When the file is missing or is not a model LiteRT can run.
    """
    if not path.is_file():
        raise HeadModelError(
            f"head model file {path.name} is missing from the install; {REINSTALL_HINT}"
        )
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        raise HeadModelError(
            "the LiteRT runtime (ai-edge-litert) is not installed; "
            "reinstall the scalpmap package (pip install --force-reinstall scalpmap)"
        ) from None
    try:
        with _load_lock, _quiet_native_stderr():
            interpreter = Interpreter(model_path=str(path), num_threads=1)
            interpreter.allocate_tensors()
        inputs = interpreter.get_input_details()
        outputs = interpreter.get_output_details()
    except (ValueError, RuntimeError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise HeadModelError(
            f"head model file {path.name} is broken ({reason[:80]}); {REINSTALL_HINT}"
        ) from None
    if len(inputs) != 1 or not outputs:
        raise HeadModelError(
            f"head model file {path.name} is not the expected model; {REINSTALL_HINT}"
        )
    return LoadedModel(
        name=path.name,
        interpreter=interpreter,
        input_index=int(inputs[0]["index"]),
        input_shape=tuple(int(n) for n in inputs[0]["shape"]),
        output_indices=tuple(int(out["index"]) for out in outputs),
    )


_loaded: dict[str, LoadedModel] = {}


def get_model(name: str, *, models_dir: Path | None = None) -> LoadedModel:
    """Return a packaged model by its short name, loading it on first use.

    Parameters
    ----------
    name : str
        A key of :data:`MODEL_FILES`.
    models_dir : Path, optional
        Where the files are; the package's ``models/`` folder by default.

    Returns
    -------
    LoadedModel
        The interpreter, shared by all callers (runs are serialised by its lock).

    Raises
    ------
    HeadModelError
        When the file is missing or broken.
    """
    path = (models_dir or MODELS_DIR) / MODEL_FILES[name]
    key = str(path)
    model = _loaded.get(key)
    if model is None:
        with _cache_lock:
            model = _loaded.get(key)
            if model is None:
                model = load_model_file(path)
                _loaded[key] = model
    return model


def clear_model_cache() -> None:
    """Forget the loaded models (tests use it after pointing the loader elsewhere)."""
    with _cache_lock:
        _loaded.clear()
