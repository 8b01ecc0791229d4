"""Data for the course: synthetic data sets, file formats, splits and sampling.

Modules::

    reference.data.synthetic   seeded synthetic data, such as the multi-label
                               prediction set behind ``ai4md evaluate --synthetic``

More modules (synthetic chest X-rays and MRI volumes, CSV/PNG/NIfTI/HDF5
readers and writers, patient-level splits, class-imbalance helpers, MRI
preprocessing) will be added here. Import the module you need, such as
``from reference.data.synthetic import synthetic_predictions``.
"""
