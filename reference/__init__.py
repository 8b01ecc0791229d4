"""ai4md's reference library: medical-imaging deep learning from scratch (NumPy, Numba).

Subpackages (each imports only from the ones above it in this list)::

    reference._validation   boundary checks and error messages
    reference.ops           stateless forward/backward kernels (Numba for hot loops)
    reference.nn            Module classes that own parameters: layers, DenseNet, U-Net
    reference.losses        weighted BCE, soft dice, each with its gradient
    reference.metrics       diagnostic metrics, ROC/PR/AUC, intervals, calibration, dice
    reference.data          synthetic data sets, file formats, splits, MRI preprocessing
    reference.optim         SGD (momentum) and Adam
    reference.train         training and evaluation loops, HDF5 checkpoints
    reference.viz           matplotlib figures

Shape legend (used in every docstring; channels first, always):

    N        batch size
    C_in     input channels;  C_out  output channels
    K        number of findings (multi-label) or classes
    S        spatial shape: (L,) in 1D, (H, W) in 2D, (D, H, W) in 3D
    kernel   (KH, KW) in 2D, (KD, KH, KW) in 3D
    H_out    output height (likewise D_out, W_out)

Images are (N, C, H, W), volumes (N, C, X, Y, Z). float32 by default; every op
preserves its input's floating dtype (gradient checks use float64).

Import the subpackage you need (``from reference import metrics``); this package
itself imports nothing heavy.
"""

__version__ = "0.1.0"
