"""A 2D and a 3D U-Net on the same MRI volumes: the data, the sizes, the scores.

A 3D U-Net sees a voxel together with its neighbours above and below; a 2D
U-Net sees one axial slice at a time and must decide each slice on its own.
To compare the two fairly they train on the same cases and see the same
number of voxels per step: a 2D batch is the z-slices of the 3D patches.

Three steps are yours:

1. `volume_to_slices`: cut a (C, X, Y, Z) volume and its (K, X, Y, Z) label
   into Z axial slices, the batch of a 2D U-Net.
2. `slices_to_volume`: put the 2D predictions back into a volume.
3. `count_parameters_conv` and `count_parameters_unet`: how many weights each
   model learns (a 3x3x3 kernel has 3 times the weights of a 3x3 one).

`run_comparison` (given) trains both models with
`reference.tasks.brain_mri.compare_2d_3d` and prints their dice. On 10
synthetic cases of 128 x 128 x 64 (64 x 64 x 16 patches, 40 per epoch, 6
epochs, the small models with batch norm) the held-out mean dice was 0.960 (2D)
against 0.892 (3D) with about 110 s of training each on 2 cores; a second run
gave 0.961 against 0.880 (127 s and 138 s). The 3D model has 3 times the
parameters and still loses here: the synthetic tumours are smooth blobs whose
every slice looks like a tumour, and the 2D model takes 16 times more (smaller)
samples per step, which helps in a few epochs.
On real scans 3D context can matter more: a small lesion seen on one slice
only, the continuity of a vessel or of a tumour's rim across slices, and
anisotropic noise are easier to resolve with the slices above and below, which
is why the course's model is 3D. Try more epochs before you conclude.
"""

import numpy as np

__all__ = [
    "count_parameters_conv",
    "count_parameters_unet",
    "run_comparison",
    "slices_to_volume",
    "volume_to_slices",
]


def volume_to_slices(image, label):
    """Cut a volume and its label into a batch of axial (z) slices.

    Parameters
    ----------
    image : ndarray of shape (C, X, Y, Z)
        Channels first (4 MRI sequences in the course).
    label : ndarray of shape (K, X, Y, Z)
        One-hot classes, channels first.

    Returns
    -------
    image_slices : ndarray of shape (Z, C, X, Y)
        ``image_slices[z, c, x, y] = image[c, x, y, z]``: slice z is item z of
        the batch.
    label_slices : ndarray of shape (Z, K, X, Y)
        ``label_slices[z, k, x, y] = label[k, x, y, z]``.

    Both keep their input's dtype.

    Examples
    --------
    image of shape (4, 160, 160, 16) and label (3, 160, 160, 16) give a batch of
    16 slices: shapes (16, 4, 160, 160) and (16, 3, 160, 160). With
    ``image = np.arange(4).reshape(1, 2, 1, 2)`` (values ``[[0, 1], [2, 3]]`` at
    x = 0, 1 and z = 0, 1), slice z = 0 holds x values [0, 2] and slice z = 1
    holds [1, 3]: ``image_slices[:, 0, :, 0] == [[0, 2], [1, 3]]``.
    """
    image, label = np.asarray(image), np.asarray(label)
    ### BEGIN SOLUTION
    # Hint: z is the LAST axis of both arrays; move it to the front (np.moveaxis) and
    # Hint: keep the other axes in their order. Return a tuple of the two.
    return np.moveaxis(image, -1, 0), np.moveaxis(label, -1, 0)
    ### END SOLUTION


def slices_to_volume(slices):
    """Stack a batch of per-slice predictions back into a volume.

    Parameters
    ----------
    slices : ndarray of shape (Z, K, X, Y)
        Item z is the 2D model's output for axial slice z.

    Returns
    -------
    volume : ndarray of shape (K, X, Y, Z)
        ``volume[k, x, y, z] = slices[z, k, x, y]`` (the inverse of
        `volume_to_slices`), same dtype.

    Examples
    --------
    Predictions of shape (16, 3, 160, 160) become a (3, 160, 160, 16) volume;
    ``slices_to_volume(volume_to_slices(image, label)[0])`` is ``image`` again.
    """
    slices = np.asarray(slices)
    ### BEGIN SOLUTION
    # Hint: the inverse of volume_to_slices: the batch axis (first) moves to the end.
    return np.moveaxis(slices, 0, -1)
    ### END SOLUTION


def count_parameters_conv(in_channels, out_channels, kernel, ndim, bias=True):
    """Count the learned numbers of one convolution layer.

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out.
    kernel : int
        Kernel size k along every spatial axis.
    ndim : int
        Spatial axes: 2 (a k x k kernel) or 3 (k x k x k).
    bias : bool
        Whether the layer learns one bias per output channel.

    Returns
    -------
    count : int
        ``C_out * C_in * k ** ndim`` weights, plus ``C_out`` biases if ``bias``.

    Examples
    --------
    4 -> 32 channels, 3 x 3: 32 * 4 * 9 + 32 = 1184; the same in 3D:
    32 * 4 * 27 + 32 = 3488; without bias: 3456.
    """
    ### BEGIN SOLUTION
    # Hint: one kernel of k ** ndim weights for every (output, input) channel pair.
    weights = out_channels * in_channels * kernel**ndim
    return int(weights + (out_channels if bias else 0))
    ### END SOLUTION


def count_parameters_unet(
    in_channels, num_classes, base_filters, depth, ndim, batch_norm=False
):
    """Count the parameters of the course's U-Net (`reference.nn.UNet`).

    Parameters
    ----------
    in_channels, num_classes : int
        Input channels and output classes.
    base_filters : int
        b: the first conv's output channels.
    depth : int
        D: number of levels (D - 1 poolings).
    ndim : int
        2 or 3.
    batch_norm : bool
        With batch norm the 3 x 3 convs have no bias and every one of them is
        followed by a BatchNorm of its output channels (2 parameters per
        channel: a scale and a shift).

    Returns
    -------
    count : int

    Notes
    -----
    With ``w_d = b * 2 ** (d + 1)`` (the channels leaving encoder level d),
    all convs 3 x 3 (x 3) except the head:

    - encoder level d = 0 ... D-1: conv ``c_in -> w_d / 2`` then ``w_d / 2 ->
      w_d``, where ``c_in = in_channels`` at d = 0 and ``w_(d-1)`` after;
    - decoder level d = 0 ... D-2: conv ``w_(d+1) + w_d -> w_d`` (the
      upsampled maps joined with the skip) then ``w_d -> w_d``;
    - head: a 1 x 1 (x 1) conv ``w_0 -> num_classes``, always with bias.

    Pooling and upsampling learn nothing.

    Examples
    --------
    in 1, classes 1, b 1, depth 1, 2D, no batch norm: encoder convs 1 -> 1 and
    1 -> 2 (10 + 20), head 2 -> 1 (3): 33 parameters. The course's 3D model
    (4, 3, 32, 4) has 16,318,307; its 2D version 5,441,123.
    """
    ### BEGIN SOLUTION
    # Hint: list the (in, out) channels of every 3 x 3 conv of Notes, encoder then
    # Hint: decoder, and count each with count_parameters_conv (no bias with batch norm,
    # Hint: but 2 per output channel for the norm); then the 1 x 1 head, with bias.
    widths = [base_filters * 2 ** (d + 1) for d in range(depth)]
    # (input, output) channels of every 3x3 conv, encoder then decoder
    pairs = []
    for d in range(depth):
        c_in = widths[d - 1] if d else in_channels
        pairs += [(c_in, widths[d] // 2), (widths[d] // 2, widths[d])]
    for d in range(depth - 1):
        pairs += [(widths[d + 1] + widths[d], widths[d]), (widths[d], widths[d])]
    total = count_parameters_conv(widths[0], num_classes, 1, ndim)
    for c_in, c_out in pairs:
        total += count_parameters_conv(c_in, c_out, 3, ndim, bias=not batch_norm)
        total += 2 * c_out if batch_norm else 0
    return int(total)
    ### END SOLUTION


def run_comparison(**settings):
    """Train a 2D and a 3D U-Net on the same data and print both (given).

    Parameters
    ----------
    **settings
        Passed to `reference.tasks.brain_mri.compare_2d_3d` (``size``,
        ``patch``, ``volumes``, ``epochs``, ``patches``, ...). Its defaults are
        tiny (seconds, dice far from converged); the numbers in this module's
        docstring used ``size=(128, 128, 64), patch=(64, 64, 16), volumes=10,
        epochs=6, patches=40`` (about 5 minutes in all).

    Returns
    -------
    results : dict
        ``{"2d": scores, "3d": scores}`` with per-class ``"dice"``,
        ``"mean_dice"`` and training ``"seconds"``.

    Examples
    --------
    ::

        results = run_comparison(epochs=2)
        # 2D U-Net:  82,659 parameters, mean dice 0.xxx, trained in xx s
    """
    from reference.tasks.brain_mri import MODELS, compare_2d_3d

    results = compare_2d_3d(**settings)
    config = MODELS[settings.get("model", "small")]
    for ndim in (2, 3):
        scores = results[f"{ndim}d"]
        count = count_parameters_unet(
            4, 3, config["base_filters"], config["depth"], ndim, config["batch_norm"]
        )
        dice = ", ".join(f"{d:.3f}" for d in scores["dice"])
        print(
            f"{ndim}D U-Net: {count:>9,} parameters, mean dice "
            f"{scores['mean_dice']:.3f} (per class {dice}), trained in "
            f"{scores['seconds']:.0f} s"
        )
    return results


if __name__ == "__main__":
    run_comparison()
