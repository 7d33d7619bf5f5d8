"""Task -> Dataset: seeded, vectorised generation of labelled input/output sequences."""

from mipsdsl.data.dataset import DataError, Dataset, load_dataset, make_dataset, save_dataset

__all__ = ["DataError", "Dataset", "load_dataset", "make_dataset", "save_dataset"]
