// Names the calling thread, so that `top -H`, `perf` and /proc show which of a service's threads
// does what. Linux keeps 15 characters; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace warroom {

inline void NameThisThread(std::string_view name) {
  std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace warroom
