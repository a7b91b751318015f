# tsweep_add_analysis(<target> [SOURCES] src...)
# An analysis plugin: a MODULE library lib<target>.so built against tsweep's
# analysis interface (tsweep/analysis/analysis.hpp, header-only). Name it in a
# job config's `plugins` list. Installed with tsweep's CMake package, so that
#   find_package(tsweep)  tsweep_add_analysis(mine mine.cpp)
# is all an out-of-tree plugin needs.
function(tsweep_add_analysis target)
  cmake_parse_arguments(A "" "" "SOURCES" ${ARGN})
  add_library(${target} MODULE ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_link_libraries(${target} PRIVATE tsweep::analysis_api)
  # Only the two entry points that TSWEEP_ANALYSIS_PLUGIN marks are exported.
  set_target_properties(${target} PROPERTIES PREFIX "lib" CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                             CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # Unresolved symbols are an error when the plugin is linked, not when a job loads it.
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
endfunction()
