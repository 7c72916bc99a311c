// The household assessment: each basic service judged met, below the norm or no access against
// the norms policy file, with the rule that decided it; indigent screening against the
// municipality's own threshold. Every threshold is data (data/household/), never a literal here.
#pragma once

#include <map>
#include <set>
#include <string>

#include "warroom/common/geography.h"
#include "warroom/common/status.h"
#include "warroom/v1/common.pb.h"
#include "warroom/v1/household.pb.h"

namespace warroom::household {

class NormsPolicy {
 public:
  // Loads the norms and the indigent thresholds; errors name the file, line and reason.
  static StatusOr<NormsPolicy> Load(const std::string& norms_text, const std::string& norms_file,
                                    const std::string& thresholds_text,
                                    const std::string& thresholds_file, const Geography& geo);

  // Judges every observed service (a service not observed is left out).
  v1::Assessment Assess(const v1::ServiceObservation& observed, v1::DwellingType dwelling,
                        int64_t monthly_income_rand,
                        const std::string& municipality) const;
  v1::Category CategoryOf(v1::NeedKind need) const;
  int64_t IndigentThreshold(const std::string& municipality) const;
  const std::string& version() const { return version_; }

 private:
  struct Levels {
    std::set<int> met, below;
  };
  std::string version_;
  int water_max_distance_m_ = 0, water_min_litres_ = 0, water_max_interruption_days_ = 0;
  Levels water_sources_, sanitation_, electricity_, roads_;
  int refuse_min_per_month_ = 0;
  int housing_min_area_m2_ = 0;
  std::set<int> housing_below_dwellings_;
  std::map<int, v1::Category> need_categories_;
  int64_t default_threshold_ = 0;
  std::map<std::string, int64_t> thresholds_;
};

}  // namespace warroom::household
