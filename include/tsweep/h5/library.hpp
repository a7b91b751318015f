#pragma once
/// \file
/// Starting HDF5 in a program (the CLI), without including hdf5.h.

namespace tsweep::h5 {

/// Call once, before MPI_Init. Starts HDF5 so that its shutdown is hooked
/// neither into MPI_Finalize nor into exit(): the exec session closes HDF5
/// just before MPI_Finalize, with every id an error path left open, while
/// MPI still works. After an H5Fclose failed (a full disk), HDF5 1.10 holds
/// a half-destroyed file id that its shutdown would crash on; the process
/// then exits with HDF5 left open (the OS reclaims it).
void start_before_mpi();

}  // namespace tsweep::h5
