#include "services/psp/src/matching.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "warroom/common/enum_names.h"
#include "warroom/common/timestamps.h"

namespace warroom::psp {
namespace {

std::string Rand(int64_t amount) { return "R" + std::to_string(amount); }

int64_t Days(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<std::chrono::hours>(b - a).count() / 24;
}

}  // namespace

Status CheckCallOff(const v1::FrameworkContract& c, int64_t cost, TimePoint starts, TimePoint ends) {
  if (c.committed_rand() + cost > c.ceiling_rand()) {
    return FailedPreconditionError("contract " + c.contract_id() + ": this call-off of " + Rand(cost) +
                                   " would exceed the ceiling of " + Rand(c.ceiling_rand()) + " by " +
                                   Rand(c.committed_rand() + cost - c.ceiling_rand()) + " (" +
                                   Rand(c.committed_rand()) + " already committed)");
  }
  TimePoint from = FromTimestamp(c.starts()), to = FromTimestamp(c.ends());
  if (starts < from) {
    return FailedPreconditionError("contract " + c.contract_id() + ": the deployment starts " +
                                   std::to_string(Days(starts, from)) + " days before the contract begins");
  }
  if (ends > to) {
    return FailedPreconditionError("contract " + c.contract_id() + ": the deployment ends " +
                                   std::to_string(Days(to, ends)) + " days after the contract ends");
  }
  return Status::Ok();
}

std::vector<v1::Candidate> Rank(const v1::SupportRequest& request, const std::string& province,
                                const std::vector<v1::Firm>& firms,
                                const std::map<std::string, Track>& tracks, TimePoint starts,
                                TimePoint ends) {
  struct Scored {
    v1::Candidate c;
    int years;
  };
  std::vector<Scored> out;
  for (const auto& firm : firms) {
    if (std::find(firm.provinces().begin(), firm.provinces().end(), province) == firm.provinces().end()) continue;
    for (const auto& p : firm.professionals()) {
      if (p.discipline() != request.discipline()) continue;
      Track t;
      if (auto it = tracks.find(p.professional_id()); it != tracks.end()) t = it->second;
      int slots = std::max(1, p.max_concurrent_deployments());
      if (t.active >= slots) continue;
      // The first contract of the firm that can carry the call-off.
      const v1::FrameworkContract* contract = nullptr;
      for (const auto& c : firm.contracts()) {
        int64_t cost = c.daily_rate_rand() * request.days();
        if (CheckCallOff(c, cost, starts, ends).ok()) {
          contract = &c;
          break;
        }
      }
      if (contract == nullptr) continue;
      double rating = t.ratings > 0 ? static_cast<double>(t.rating_sum) / t.ratings / 5.0 : 0.6;
      double on_time = t.deliverables > 0 ? static_cast<double>(t.on_time) / t.deliverables : 0.6;
      double free = 1.0 - static_cast<double>(t.active) / slots;
      double score = 50 * rating + 30 * on_time + 20 * free;
      char why[256];
      std::snprintf(why, sizeof(why),
                    "%s, %d years; rating %.2f of 1 (%d rated), on time %.2f (%d deliverables), "
                    "%d of %d slots free; contract %s",
                    Label(p.discipline()).c_str(), p.years_experience(), rating, t.ratings, on_time,
                    t.deliverables, slots - t.active, slots, contract->contract_id().c_str());
      Scored s;
      s.c.set_firm_id(firm.firm_id());
      s.c.set_professional_id(p.professional_id());
      s.c.set_contract_id(contract->contract_id());
      s.c.set_score(std::round(score * 100) / 100);
      s.c.set_explanation(why);
      s.years = p.years_experience();
      out.push_back(std::move(s));
    }
  }
  std::sort(out.begin(), out.end(), [](const Scored& a, const Scored& b) {
    if (a.c.score() != b.c.score()) return a.c.score() > b.c.score();
    if (a.years != b.years) return a.years > b.years;
    return a.c.professional_id() < b.c.professional_id();
  });
  std::vector<v1::Candidate> ranked;
  for (auto& s : out) ranked.push_back(std::move(s.c));
  return ranked;
}

int64_t CombinedBacklog(int64_t baseline_total, int64_t baseline_below, int64_t assessed,
                        int64_t assessed_below) {
  if (baseline_total <= 0) return assessed_below;
  double coverage = std::min(1.0, static_cast<double>(assessed) / static_cast<double>(baseline_total));
  return static_cast<int64_t>(std::llround(static_cast<double>(baseline_below) * (1.0 - coverage))) +
         assessed_below;
}

}  // namespace warroom::psp
