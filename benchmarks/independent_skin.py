"""The independent close-up model's skin: a colour from an ITA angle, and 1/f noise for texture."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from skimage.color import lab2rgb

ITA_RANGES = {1: (56, 70), 2: (42, 55), 3: (29, 41), 4: (11, 27), 5: (-28, 9), 6: (-55, -31)}


def skin_colour(fitzpatrick: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Linear RGB of a skin of this type, from an ITA° angle drawn in its range.

    Parameters
    ----------
    fitzpatrick : int
        Skin type 1..6.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float, shape (3,)
        Linear reflectance per channel.
    """
    ita = np.radians(rng.uniform(*ITA_RANGES[fitzpatrick]))
    b_star = rng.uniform(12, 22)
    lightness = float(np.clip(50 + b_star * np.tan(ita), 18, 82))
    lab = np.array([[[lightness, rng.uniform(6, 16), b_star]]])
    srgb = np.clip(lab2rgb(lab)[0, 0], 0.0, 1.0)
    return np.asarray(np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4))


def spectral_noise(
    shape: tuple[int, int], exponent: float, rng: np.random.Generator
) -> NDArray[np.float32]:
    """Zero-mean, unit-variance noise with a 1/f^exponent power spectrum.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    exponent : float
        Spectral slope; 0 is white, 2 is smooth.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float32
        The noise.
    """
    rows, cols = shape
    fy = np.fft.fftfreq(rows)[:, None]
    fx = np.fft.rfftfreq(cols)[None, :]
    radius = np.sqrt(fx**2 + fy**2)
    radius[0, 0] = 1.0
    spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius ** (
        exponent / 2
    )
    spectrum[0, 0] = 0
    field = np.fft.irfft2(spectrum, s=shape)
    return np.asarray((field - field.mean()) / (field.std() or 1.0), dtype=np.float32)
