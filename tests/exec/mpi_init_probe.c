/* A PMPI tool for tests. Preloaded (LD_PRELOAD), it appends a line to the
 * file named by TSWEEP_TEST_MPI_INIT_LOG whenever the program starts MPI,
 * then starts it as asked. Tests use it to show that a command answered
 * without ever starting MPI, whatever the MPI library. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void note(const char* what) {
  const char* path = getenv("TSWEEP_TEST_MPI_INIT_LOG");
  if (!path) return;
  FILE* f = fopen(path, "a");
  if (!f) return;
  fprintf(f, "%s\n", what);
  fclose(f);
}

int MPI_Init(int* argc, char*** argv) {
  note("MPI_Init");
  return PMPI_Init(argc, argv);
}

int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
  note("MPI_Init_thread");
  return PMPI_Init_thread(argc, argv, required, provided);
}
