#pragma once
// Store identities.

#include <cstdint>
#include <string>

namespace tsweep::store::detail {

/// A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string random_uuid();
/// A UUID-shaped name derived from two 64-bit words (version 8 layout), for
/// stores whose content is a pure function of their parameters.
std::string uuid_from(std::uint64_t hi, std::uint64_t lo);

}  // namespace tsweep::store::detail
