# Run at build time: regenerates version.cpp when the git revision changes.
# Inputs: SRC_DIR, IN_FILE, OUT_FILE, PROJECT_VERSION, GIT_EXECUTABLE.
set(TSWEEP_GIT_REVISION "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SRC_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY "${SRC_DIR}" OUTPUT_VARIABLE rev
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND rev)
    set(TSWEEP_GIT_REVISION "${rev}")
  endif()
endif()
configure_file("${IN_FILE}" "${OUT_FILE}.tmp" @ONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT_FILE}.tmp" "${OUT_FILE}")
