"""Time arguments: every form a user may pass, as int64 ns since the epoch (UTC)."""
import datetime

import numpy as np
import pandas as pd

from . import _tsweep

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_FORMS = ("ns since the epoch (int), numpy.datetime64, pandas.Timestamp, datetime.datetime "
          "or an ISO-8601 string such as '2024-03-01T12:00:00Z'")


def to_ns(value, what):
    """`value` as int ns since the epoch; None stays None. Naive times are UTC.

    `what` names the argument in errors (TypeError for a form not accepted,
    ValueError for a value that is not a time)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be {_FORMS}, not a bool")
    if isinstance(value, (int, np.integer)):
        return _in_int64(int(value), what)
    if isinstance(value, str):
        return _from_text(value, what)
    if isinstance(value, np.datetime64):
        return _from_datetime64(value, what)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return _from_datetime(value, what)
    raise TypeError(f"{what} must be {_FORMS}, not {type(value).__name__} ({value!r})")


def to_datetime64(ns):
    """int64 ns since the epoch (a scalar or an array) as datetime64[ns]."""
    return np.asarray(ns, dtype=np.int64).view("datetime64[ns]")


def _in_int64(ns, what):
    if not INT64_MIN <= ns <= INT64_MAX:
        raise ValueError(f"{what} {ns} is outside the int64 ns range of tsweep times")
    return ns


def _from_text(text, what):
    ns = _tsweep.parse_iso8601(text)
    if ns is None:
        raise ValueError(f"{what} {text!r} is not an ISO-8601 time (e.g. '2024-03-01T12:00:00Z', "
                         "'2024-03-01 12:00:00.5+01:00', '2024-03-01')")
    return ns


def _from_datetime64(value, what):
    if np.isnat(value):
        raise ValueError(f"{what} is NaT, not a time")
    return int(value.astype("datetime64[ns]").astype(np.int64))


def _from_datetime(value, what):
    if pd.isna(value):
        raise ValueError(f"{what} is NaT, not a time")
    if not isinstance(value, datetime.datetime):  # a date: its midnight, UTC
        value = datetime.datetime(value.year, value.month, value.day)
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.value)
