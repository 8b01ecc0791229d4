"""Numba kernels for batch norm: channel moments, normalise, gradient sums.

Each works on (N, C, S) arrays (spatial axes flattened, C-contiguous) and has a
NumPy twin in `reference.ops.norm` (the path taken when Numba is disabled), which
the tests compare against. Fusing the passes is the point: NumPy's version reads
and writes the activations 8-9 times per forward; these read x twice (mean,
then the centred variance, for accuracy) and write xhat and out once
(timings: ``benchmarks/RESULTS.md``).

Each kernel works on the channels c_lo .. c_hi - 1 only, so that two threads
can share a layer's channels while the arrays stay C-contiguous (a channel
slice would be a strided view, which LLVM does not vectorise as well).

Sums accumulate in float64 whatever the dtype. ``fastmath={"reassoc"}`` lets
LLVM vectorise the sums (it reorders the additions; NaN and inf still
propagate).
"""

from __future__ import annotations

from reference.ops._fast.jit import njit

__all__ = [
    "channel_moments",
    "gradient_sums",
    "input_gradient",
    "normalise_affine",
]

_SUMS = {"reassoc"}


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_SUMS)
def channel_moments(x, c_lo, c_hi, mean, var):  # pragma: no cover - jitted
    """mean[c] = x[:, c].mean() and var[c] = ((x[:, c] - mean[c])**2).mean()."""
    n_img, n_s = x.shape[0], x.shape[2]
    count = n_img * n_s
    for c in range(c_lo, c_hi):
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
def normalise_affine(  # pragma: no cover - jitted
    x, c_lo, c_hi, mean, inv_std, gamma, beta, relu, xhat, out
):
    """Write xhat = (x - mean[c]) * inv_std[c] and out = gamma[c] * xhat + beta[c].

    With ``relu``, out = max(out, 0) (NaN passes through, as in np.maximum).
    """
    n_img, n_s = x.shape[0], x.shape[2]
    for n in range(n_img):
        for c in range(c_lo, c_hi):
            m, k, g, b = mean[c], inv_std[c], gamma[c], beta[c]
            src, hat, dst = x[n, c], xhat[n, c], out[n, c]
            for s in range(n_s):
                h = (src[s] - m) * k
                hat[s] = h
                v = h * g + b
                dst[s] = 0.0 if relu and v < 0 else v


@njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _masked(d, h, g, b, relu):  # pragma: no cover - jitted
    """Return d, times 0 where a fused ReLU's input g * h + b was not positive."""
    if relu:
        return d * (1.0 if h * g + b > 0 else 0.0)
    return d


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_SUMS)
def gradient_sums(  # pragma: no cover - jitted
    dout, xhat, c_lo, c_hi, gamma, beta, relu, dbeta, dgamma
):
    """dbeta[c] = sum of dy[:, c]; dgamma[c] = sum of dy[:, c] * xhat[:, c].

    dy is dout, masked by the fused ReLU when ``relu`` (see `_masked`).
    """
    n_img, n_s = dout.shape[0], dout.shape[2]
    for c in range(c_lo, c_hi):
        g, b = gamma[c], beta[c]
        sum_d = 0.0
        sum_dx = 0.0
        for n in range(n_img):
            d_row, h_row = dout[n, c], xhat[n, c]
            for s in range(n_s):
                d = _masked(d_row[s], h_row[s], g, b, relu)
                sum_d += d
                sum_dx += d * h_row[s]
        dbeta[c] = sum_d
        dgamma[c] = sum_dx


@njit(cache=True, nogil=True, boundscheck=False)
def input_gradient(  # pragma: no cover - jitted
    dout, xhat, c_lo, c_hi, gamma, beta, relu, coefficients, dx
):
    """Write dx = scale[c] * (dy - shift[c] - xhat * slope[c]) (dy: `gradient_sums`).

    ``coefficients`` holds the rows scale, shift, slope (3, C) in training
    mode, and only scale (1, C) in evaluation mode, where dx = scale * dy.
    """
    n_img, n_s = dout.shape[0], dout.shape[2]
    training = coefficients.shape[0] == 3
    for n in range(n_img):
        for c in range(c_lo, c_hi):
            g, b, k = gamma[c], beta[c], coefficients[0, c]
            d_row, h_row, dst = dout[n, c], xhat[n, c], dx[n, c]
            if training:
                shift, slope = coefficients[1, c], coefficients[2, c]
                for s in range(n_s):
                    d = _masked(d_row[s], h_row[s], g, b, relu)
                    dst[s] = k * (d - shift - h_row[s] * slope)
            else:
                for s in range(n_s):
                    dst[s] = k * _masked(d_row[s], h_row[s], g, b, relu)
