#pragma once
/// \file
/// tsweep's C++ errors as Python exceptions, with their one-line messages:
///
///     tsweep.Error              tsweep::Error (any error tsweep raises on purpose)
///     tsweep.StoreError         tsweep::IoError: also an OSError (missing, foreign, damaged or held store)
///     tsweep.CorruptBlockError  tsweep::CodecError: also a ValueError
///     tsweep.InputError         tsweep::ConfigError: also a ValueError
///
/// Internal errors (a bug) stay tsweep.Error, with the message that names them.

#include <pybind11/pybind11.h>

namespace tsweep::python {

/// Adds the exception types to `module` and translates the C++ errors into them.
void register_errors(pybind11::module_& module);

}  // namespace tsweep::python
