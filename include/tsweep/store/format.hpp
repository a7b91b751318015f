#pragma once
/// \file
/// Names and version of the store format (src/store/FORMAT.md), for code
/// that must recognise a store without opening it through the Reader.

namespace tsweep::store {

/// Value of the root attribute `tsweep_format`.
inline constexpr const char* kFormatName = "store";
/// Value of the root attribute `tsweep_format_version` of the stores this
/// library creates. Version 2 added a checksum to every table row; version 3
/// the block's summary to every index row.
inline constexpr int kFormatVersion = 3;
/// The oldest version this library reads (and appends to, in that version).
inline constexpr int kOldestFormatVersion = 1;

/// Object paths inside a store.
namespace paths {
inline constexpr const char* streams = "/streams";
inline constexpr const char* stream_attrs = "/stream_attrs";
inline constexpr const char* blocks = "/blocks";
inline constexpr const char* index = "/blocks/index";
inline constexpr const char* runs = "/blocks/runs";
inline constexpr const char* data = "/blocks/data";
}  // namespace paths

}  // namespace tsweep::store
