include(GNUInstallDirs)
# Installed later by the layers themselves; see the end of src/CMakeLists.txt.
