# install(): the libraries (one per layer), their headers, the tsweep binary,
# and an exported tsweepConfig.cmake so that other codes can
#   find_package(tsweep)  and  target_link_libraries(app PRIVATE tsweep::codec)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(layers GLOBAL PROPERTY TSWEEP_LAYERS)
set_target_properties(tsweep_hdf5 PROPERTIES EXPORT_NAME hdf5)
set_target_properties(tsweep_edflib PROPERTIES EXPORT_NAME edflib)
install(TARGETS ${layers} tsweep_hdf5 tsweep_edflib tsweep_analysis_api EXPORT tsweepTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tsweep RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/tsweep DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tsweep)
install(EXPORT tsweepTargets NAMESPACE tsweep:: DESTINATION ${config_dir})
configure_package_config_file(cmake/tsweepConfig.cmake.in ${PROJECT_BINARY_DIR}/tsweepConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tsweepConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tsweepConfig.cmake ${PROJECT_BINARY_DIR}/tsweepConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/tsweepAnalysis.cmake
        DESTINATION ${config_dir})
