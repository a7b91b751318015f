#pragma once
/// \file
/// The codec layer in one include: sample types, the regular time base,
/// block headers, encoding and decoding. Pure C++: no MPI, no HDF5.

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/decoder.hpp"
#include "tsweep/codec/encoder.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/time.hpp"
