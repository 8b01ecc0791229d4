"""Zero padding and cropping of the spatial axes, for 1, 2 and 3 spatial dims.

Public names: `pad_spatial` (pad x of shape (N, C, *S) with zeros) and
`crop_spatial` (the index that selects a window of the spatial axes, such as
the unpadded part of a padded array). The convolution's readable algorithms
(`reference.ops.conv`) and its fast drivers (`reference.ops._fast`) share them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["crop_spatial", "pad_spatial"]


def pad_spatial(x: np.ndarray, padding: Sequence[int]) -> np.ndarray:
    """Return a zero-padded copy of x (N, C, *S) of shape (N, C, *(S + 2 * padding)).

    Parameters
    ----------
    x : ndarray of shape (N, C, *S)
    padding : tuple of int, one per spatial dim
        Zeros added on both sides of each spatial axis.

    Returns
    -------
    x_pad : ndarray of shape (N, C, *(S + 2 * padding)), dtype of x

    Examples
    --------
    >>> pad_spatial(np.ones((1, 1, 2)), (1,))
    array([[[0., 1., 1., 0.]]])
    """
    shape = x.shape[:2] + tuple(
        s + 2 * p for s, p in zip(x.shape[2:], padding, strict=False)
    )
    out = np.zeros(shape, dtype=x.dtype)
    out[crop_spatial(padding, x.shape[2:], lead=2)] = x
    return out


def crop_spatial(
    start: Sequence[int], size: Sequence[int], lead: int = 1
) -> tuple[slice, ...]:
    """Return the index tuple selecting ``start[a]:start[a] + size[a]`` on spatial axes.

    ``lead`` leading axes (channels, or batch and channels) are kept whole, so
    ``x_pad[crop_spatial(padding, x.shape[2:], lead=2)]`` is the unpadded x.

    Examples
    --------
    >>> np.arange(5)[crop_spatial((1,), (3,), lead=0)]
    array([1, 2, 3])
    """
    return (slice(None),) * lead + tuple(
        slice(a, a + s) for a, s in zip(start, size, strict=False)
    )
