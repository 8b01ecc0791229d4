"""Week 3: segmenting brain tumours in MRI.

Lessons, in teaching order:

``sub_volumes``       cut training patches that hold enough tumour from a BraTS volume
``standardization``   scale every slice of every channel to mean 0 and std 1
``dice``              the Dice coefficient for one class and averaged over classes
``soft_dice``         the soft Dice loss and its gradient (what a network trains on)
``sens_spec``         sensitivity and specificity of one tumour class, voxel by voxel
``augmentation3d``    one flip/rotation applied to an image and its mask together
``tiled_prediction``  predict a whole volume by overlapping patches, stitched back
``registration``      align two scans of one head; carry the labels across

Data: ``reference.data.brats.make_brats_case`` generates a synthetic BraTS-like case
(FLAIR, T1, T1-Gd, T2; labels 0 background, 1 edema, 2 non-enhancing tumour,
3 enhancing tumour); ``reference.data.nifti`` reads real Decathlon/BraTS files.
"""
