#pragma once
/// \file
/// The built-in analyses written on the plugin interface (stats and quality
/// live in catalog.cpp, over the block-summary kernel). Each is documented,
/// parameters, fields and definition, in src/analysis/ANALYSES.md.

#include "tsweep/analysis/analysis.hpp"

namespace tsweep::analysis::builtin {

/// `percentiles`: numpy.quantile (method 'linear') of the window's non-NaN
/// values, and optionally numpy.histogram counts over a fixed range.
AnalysisType percentiles_type();

/// `spectrum`: Welch band power (scipy.signal.welch, scaling 'density')
/// over the gapless, NaN-free runs of a regular stream's window.
AnalysisType spectrum_type();

/// `events`: event count, rate and inter-event intervals (mean, std, min,
/// max, heart rate, RMSSD) from sample times alone.
AnalysisType events_type();

}  // namespace tsweep::analysis::builtin
