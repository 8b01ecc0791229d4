"""ai4md's reference library: medical-imaging deep learning from scratch (NumPy, Numba).

Subpackages and modules (each imports only from the ones above it in this list)::

    reference._validation   boundary checks, shared argument rules, error messages
    reference.testing       numerical gradients, relative error, gradient checks
    reference.runtime       opt-in process settings: BLAS threads, freed memory
    reference.ops           stateless forward/backward kernels, 1 to 3 spatial dims
      ops._fast             (private) the speed machinery behind conv/pooling/batch
                            norm: dispatch, GEMM slabs, Winograd, shifted products,
                            threads, Numba kernels
    reference.nn            Module classes that own parameters: layers, DenseNet, U-Net
    reference.losses        (weighted, masked) BCE and soft dice, each with its gradient
    reference.metrics       diagnostic metrics, ROC/PR/AUC, intervals, calibration,
                            Dice, Hausdorff distance
    reference.optim         pure SGD (momentum) and Adam rules, and optimiser classes
    reference.data          synthetic data sets, file formats, splits, sampling,
                            augmentation, MRI preprocessing and registration
    reference.train         training and prediction loops with a progress bar
    reference.checkpoint    HDF5 checkpoints and ``.npz`` weights
    reference.gradcam       Grad-CAM heat maps for classifiers such as DenseNet
    reference.viz           matplotlib figures: ROC, precision-recall, calibration
    reference.viz_overlay   a heat map blended over a grey image, written as PNG
    reference.tasks         end-to-end tasks behind ``ai4md train`` / ``ai4md evaluate``

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
