"""tsweep from Python: a store's samples and a run's results for notebooks and ML code.

    import tsweep
    store = tsweep.Store("store.h5")
    store.streams                                   # the stream table (pandas)
    ecg = store.read("bed01/ECG_II", "2024-03-01T00:00:00Z", "2024-03-01T00:10:00Z")
    ecg.values, ecg.times, ecg.datetimes, ecg.corrupt
    results = tsweep.Results("results.h5")
    results.windows, results.analysis("percentiles"), results.to_xarray()

Samples are decoded by tsweep's C++ codec on several threads. Nothing here
starts MPI: stores are read rank-locally (HDF5's sec2 driver, SWMR while a
writer appends). See python/README.md.
"""
from ._tsweep import CorruptBlockError, Error, InputError, StoreError, __version__
from .results import Results, ResultsError
from .store import CorruptBlock, CorruptBlockWarning, Store, StreamData, UnknownStreamError

for _public in (Store, StreamData, CorruptBlock, Results, ResultsError, UnknownStreamError, CorruptBlockWarning):
    _public.__module__ = __name__  # tracebacks and reprs name tsweep.X, where users find it
del _public

__all__ = [
    "Store", "StreamData", "CorruptBlock", "Results",
    "Error", "StoreError", "ResultsError", "InputError", "CorruptBlockError", "UnknownStreamError",
    "CorruptBlockWarning", "__version__",
]
