// The shipped reference data, loaded once for intake's tests.
#pragma once

#include "warroom/common/geography.h"

namespace warroom::intake::testing {

inline const Geography& ShippedGeography() {
  static const Geography g =
      *Geography::LoadDir(std::string(WARROOM_SOURCE_DIR) + "/data/geography");
  return g;
}

}  // namespace warroom::intake::testing
