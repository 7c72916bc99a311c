// The shipped geography, loaded once per fuzz process (the targets that need wards use it).
#pragma once

#include <string>

#include "warroom/common/geography.h"

namespace warroom::fuzz {

inline const Geography& Geo() {
  static const Geography geo = *Geography::LoadDir(std::string(WARROOM_SOURCE_DIR) + "/data/geography");
  return geo;
}

}  // namespace warroom::fuzz
