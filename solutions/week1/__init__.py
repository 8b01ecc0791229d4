"""Week 1: diagnosing disease from chest X-rays, and the network's building blocks.

From scratch, in 2D: each of these lessons is a forward/backward pair on
channels-first arrays ``(N, C, H, W)`` (batch, channels, height, width), written
with plain loops over the output and a vectorised sum over each window, as in
CS231n-style assignments. Every forward returns ``(out, cache)``; the matching
backward takes the upstream gradient ``dout`` (the output's shape) and that
cache, and returns the gradient of each input. Nothing modifies its inputs, and
float32 in gives float32 out.

``activations``      ReLU forward/backward, and a sigmoid that never overflows
``convolution``      2D convolution with stride and zero padding, forward and backward
``pooling``          2D max pooling with padding (DenseNet's stem), forward and backward
``batchnorm``        batch normalisation in training and evaluation mode

The chest X-ray data, loss and models:

``data_exploration`` label counts, images per patient, pixel histograms (figures)
``class_imbalance``  how rare each finding is, and resampling to balance a label
``weighted_loss``    the (weighted) binary cross-entropy and its gradient
``data_leakage``     no patient in two splits; splitting by patient
``standardization``  standardising images with the training set's statistics
``augmentation``     label-preserving augmentation
``consensus``        ground truth by the majority vote of several annotators
``densenet_blocks``  the dense layer, transition and dense block; Grad-CAM
``transfer_learning`` freeze a pre-trained backbone and train only the head
"""
