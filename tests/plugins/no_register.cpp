// A plugin without its registration function: tsweep must refuse it, naming
// the plugin and the missing symbol tsweep_analysis_register.
#include "tsweep/analysis/analysis.hpp"

extern "C" __attribute__((visibility("default"))) int tsweep_analysis_abi() {
  return tsweep::analysis::abi_version;
}
