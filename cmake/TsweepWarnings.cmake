# Warnings live in one interface target that every tsweep target links PRIVATE.
add_library(tsweep_warnings INTERFACE)
add_library(tsweep::warnings ALIAS tsweep_warnings)
target_compile_options(tsweep_warnings INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Woverloaded-virtual -Wcast-align -Wformat=2 -Wimplicit-fallthrough>
  $<$<AND:$<BOOL:${TSWEEP_WERROR}>,$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>>:-Werror>)

# Contract checks: always on in Debug, on elsewhere with TSWEEP_CONTRACTS (the ci preset).
add_library(tsweep_contracts INTERFACE)
target_compile_definitions(tsweep_contracts INTERFACE
  $<$<OR:$<CONFIG:Debug>,$<BOOL:${TSWEEP_CONTRACTS}>>:TSWEEP_ENABLE_CONTRACTS=1>)
