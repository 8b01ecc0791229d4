"""Facts about the real NIH ChestX-ray14 data set, as plain Python constants.

The synthetic chest X-ray generator (`reference.data.chestxray`) draws its
labels, patients and lesion positions from these numbers so that the toy data
has the real data set's shape: rare findings (Hernia in 0.2% of images),
common ones (Infiltration in 17.7%), findings that come together (Effusion with
Atelectasis), and patients with many follow-up images (the reason patient
leakage matters).

Source: the published metadata of NIH ChestX-ray14 (``Data_Entry_2017``, v2020,
and ``BBox_List_2017``; 112,120 frontal images of 30,805 patients). The counts
were computed once from those files; nothing is read or downloaded at run time.

Names
-----
FINDINGS
    The 14 finding names, in the data set's (alphabetical) column order.
N_IMAGES, N_PATIENTS
    Size of the data set.
POSITIVES, PREVALENCE
    Positive images per finding and their fraction of all images.
NO_FINDING_FRACTION, LABELS_PER_IMAGE
    Fraction of "No Finding" images; histogram of findings per image.
COOCCURRENCE
    14 x 14 tuple of image counts with both findings (diagonal = POSITIVES).
IMAGES_PER_PATIENT
    Mean, median, 90th percentile, maximum and fraction of one-image patients.
VIEW_POSITION, SEX, AGE_QUARTILES
    Acquisition view (PA/AP), patient sex and age quartiles (years).
BBOX
    For 8 findings: where the expert boxes sit on the image, as fractions of
    the image side (x from the image's left, y from the top): mean and standard
    deviation of the box centre, median width and height.
"""

from __future__ import annotations

__all__ = [
    "AGE_QUARTILES",
    "BBOX",
    "COOCCURRENCE",
    "FINDINGS",
    "IMAGES_PER_PATIENT",
    "LABELS_PER_IMAGE",
    "NO_FINDING_FRACTION",
    "N_IMAGES",
    "N_PATIENTS",
    "POSITIVES",
    "PREVALENCE",
    "SEX",
    "VIEW_POSITION",
]

FINDINGS: tuple[str, ...] = (
    "Atelectasis",
    "Cardiomegaly",
    "Consolidation",
    "Edema",
    "Effusion",
    "Emphysema",
    "Fibrosis",
    "Hernia",
    "Infiltration",
    "Mass",
    "Nodule",
    "Pleural_Thickening",
    "Pneumonia",
    "Pneumothorax",
)

N_IMAGES = 112_120
N_PATIENTS = 30_805

POSITIVES: dict[str, int] = {
    "Atelectasis": 11559,
    "Cardiomegaly": 2776,
    "Consolidation": 4667,
    "Edema": 2303,
    "Effusion": 13317,
    "Emphysema": 2516,
    "Fibrosis": 1686,
    "Hernia": 227,
    "Infiltration": 19894,
    "Mass": 5782,
    "Nodule": 6331,
    "Pleural_Thickening": 3385,
    "Pneumonia": 1431,
    "Pneumothorax": 5302,
}

PREVALENCE: dict[str, float] = {
    "Atelectasis": 0.10309,
    "Cardiomegaly": 0.02476,
    "Consolidation": 0.04163,
    "Edema": 0.02054,
    "Effusion": 0.11877,
    "Emphysema": 0.02244,
    "Fibrosis": 0.01504,
    "Hernia": 0.00202,
    "Infiltration": 0.17743,
    "Mass": 0.05157,
    "Nodule": 0.05647,
    "Pleural_Thickening": 0.03019,
    "Pneumonia": 0.01276,
    "Pneumothorax": 0.04729,
}

NO_FINDING_FRACTION = 0.5384

# number of findings on an image -> number of images
LABELS_PER_IMAGE: dict[int, int] = {
    0: 60361,
    1: 30963,
    2: 14306,
    3: 4856,
    4: 1247,
    5: 301,
    6: 67,
    7: 16,
    8: 1,
    9: 2,
}

# COOCCURRENCE[i][j]: images with both FINDINGS[i] and FINDINGS[j]
COOCCURRENCE: tuple[tuple[int, ...], ...] = (
    (11559, 370, 1223, 221, 3275, 424, 220, 40, 3264, 739, 590, 496, 262, 774),
    (370, 2776, 169, 127, 1063, 44, 52, 7, 587, 102, 108, 111, 41, 49),
    (1223, 169, 4667, 162, 1287, 103, 79, 4, 1221, 610, 428, 251, 123, 223),
    (221, 127, 162, 2303, 593, 30, 9, 3, 981, 129, 131, 64, 340, 33),
    (3275, 1063, 1287, 593, 13317, 359, 188, 21, 4000, 1254, 912, 849, 269, 996),
    (424, 44, 103, 30, 359, 2516, 36, 4, 449, 215, 115, 151, 23, 747),
    (220, 52, 79, 9, 188, 36, 1686, 8, 345, 117, 166, 176, 11, 80),
    (40, 7, 4, 3, 21, 4, 8, 227, 33, 25, 10, 8, 3, 9),
    (3264, 587, 1221, 981, 4000, 449, 345, 33, 19894, 1159, 1546, 750, 605, 946),
    (739, 102, 610, 129, 1254, 215, 117, 25, 1159, 5782, 906, 452, 71, 431),
    (590, 108, 428, 131, 912, 115, 166, 10, 1546, 906, 6331, 411, 70, 341),
    (496, 111, 251, 64, 849, 151, 176, 8, 750, 452, 411, 3385, 48, 289),
    (262, 41, 123, 340, 269, 23, 11, 3, 605, 71, 70, 48, 1431, 41),
    (774, 49, 223, 33, 996, 747, 80, 9, 946, 431, 341, 289, 41, 5302),
)

IMAGES_PER_PATIENT: dict[str, float] = {
    "mean": 3.64,
    "median": 1,
    "p90": 8,
    "max": 184,
    "fraction_with_1_image": 0.5682,
}

VIEW_POSITION: dict[str, int] = {"PA": 67310, "AP": 44810}
SEX: dict[str, int] = {"M": 63340, "F": 48780}
AGE_QUARTILES: tuple[float, float, float] = (34.0, 49.0, 59.0)

# Expert boxes on the 1024 x 1024 images, normalised by 1024 (the box list calls
# Infiltration "Infiltrate"; here it carries the label's name).
BBOX: dict[str, dict[str, float]] = {
    "Atelectasis": {
        "n": 180,
        "center_x_mean": 0.509,
        "center_y_mean": 0.568,
        "center_x_sd": 0.212,
        "center_y_sd": 0.115,
        "width_median": 0.167,
        "height_median": 0.115,
    },
    "Cardiomegaly": {
        "n": 146,
        "center_x_mean": 0.575,
        "center_y_mean": 0.569,
        "center_x_sd": 0.048,
        "center_y_sd": 0.064,
        "width_median": 0.466,
        "height_median": 0.373,
    },
    "Effusion": {
        "n": 153,
        "center_x_mean": 0.495,
        "center_y_mean": 0.561,
        "center_x_sd": 0.277,
        "center_y_sd": 0.119,
        "width_median": 0.203,
        "height_median": 0.271,
    },
    "Infiltration": {
        "n": 123,
        "center_x_mean": 0.529,
        "center_y_mean": 0.525,
        "center_x_sd": 0.175,
        "center_y_sd": 0.115,
        "width_median": 0.222,
        "height_median": 0.259,
    },
    "Mass": {
        "n": 85,
        "center_x_mean": 0.506,
        "center_y_mean": 0.451,
        "center_x_sd": 0.204,
        "center_y_sd": 0.115,
        "width_median": 0.117,
        "height_median": 0.138,
    },
    "Nodule": {
        "n": 79,
        "center_x_mean": 0.526,
        "center_y_mean": 0.482,
        "center_x_sd": 0.248,
        "center_y_sd": 0.153,
        "width_median": 0.069,
        "height_median": 0.067,
    },
    "Pneumonia": {
        "n": 120,
        "center_x_mean": 0.505,
        "center_y_mean": 0.556,
        "center_x_sd": 0.188,
        "center_y_sd": 0.104,
        "width_median": 0.223,
        "height_median": 0.269,
    },
    "Pneumothorax": {
        "n": 98,
        "center_x_mean": 0.458,
        "center_y_mean": 0.325,
        "center_x_sd": 0.219,
        "center_y_sd": 0.187,
        "width_median": 0.197,
        "height_median": 0.201,
    },
}
