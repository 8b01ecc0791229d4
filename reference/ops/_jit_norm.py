"""Private Numba kernels for batch norm: channel moments, normalise, gradient sums.

Each works on (N, C, S) arrays (spatial axes flattened, C-contiguous) and has a
NumPy twin in `reference.ops.norm` (the path taken when Numba is disabled), which
the tests compare against. Fusing the passes is the point: NumPy's version reads
and writes the activations 8-9 times per forward; these read x twice (mean,
then the centred variance, for accuracy) and write xhat and out once: 3-4x
faster on DenseNet's 56x56 maps, measured.

Sums accumulate in float64 whatever the dtype. ``fastmath={"reassoc"}`` lets
LLVM vectorise the sums (it reorders the additions; NaN and inf still
propagate).
"""

from __future__ import annotations

from reference.ops._jit import njit

__all__: list[str] = []  # private module; norm.py wraps these kernels

_SUMS = {"reassoc"}


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_SUMS)
def _channel_moments(x, mean, var):  # pragma: no cover - jitted
    """mean[c] = x[:, c].mean() and var[c] = ((x[:, c] - mean[c])**2).mean()."""
    n_img, n_c, n_s = x.shape
    count = n_img * n_s
    for c in range(n_c):
        total = 0.0
        for n in range(n_img):
            row = x[n, c]
            for s in range(n_s):
                total += row[s]
        mu = total / count
        squares = 0.0
        for n in range(n_img):
            row = x[n, c]
            for s in range(n_s):
                d = row[s] - mu
                squares += d * d
        mean[c] = mu
        var[c] = squares / count


@njit(cache=True, nogil=True, boundscheck=False)
def _normalise_affine(x, mean, inv_std, gamma, beta, xhat, out):  # pragma: no cover
    """Write xhat = (x - mean[c]) * inv_std[c] and out = gamma[c] * xhat + beta[c]."""
    n_img, n_c, n_s = x.shape
    for n in range(n_img):
        for c in range(n_c):
            m, k, g, b = mean[c], inv_std[c], gamma[c], beta[c]
            src, hat, dst = x[n, c], xhat[n, c], out[n, c]
            for s in range(n_s):
                h = (src[s] - m) * k
                hat[s] = h
                dst[s] = h * g + b


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_SUMS)
def _gradient_sums(dout, xhat, dbeta, dgamma):  # pragma: no cover - jitted
    """dbeta[c] = sum of dout[:, c]; dgamma[c] = sum of dout[:, c] * xhat[:, c]."""
    n_img, n_c, n_s = dout.shape
    for c in range(n_c):
        sum_d = 0.0
        sum_dx = 0.0
        for n in range(n_img):
            d_row, h_row = dout[n, c], xhat[n, c]
            for s in range(n_s):
                sum_d += d_row[s]
                sum_dx += d_row[s] * h_row[s]
        dbeta[c] = sum_d
        dgamma[c] = sum_dx


@njit(cache=True, nogil=True, boundscheck=False)
def _input_gradient(dout, xhat, shift, slope, scale, dx):  # pragma: no cover - jitted
    """Write dx = scale[c] * (dout - shift[c] - xhat * slope[c])."""
    n_img, n_c, n_s = dout.shape
    for n in range(n_img):
        for c in range(n_c):
            a, b, k = shift[c], slope[c], scale[c]
            d_row, h_row, dst = dout[n, c], xhat[n, c], dx[n, c]
            for s in range(n_s):
                dst[s] = k * (d_row[s] - a - h_row[s] * b)
