// MISA's plain rules: whether a call-off fits its framework contract, how candidates for a support
// request are ranked (and why), and how a district's backlog combines the imported baseline with
// live household assessments. Pure functions over plain structs, tested without any server.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "warroom/common/clock.h"
#include "warroom/common/status.h"
#include "warroom/v1/psp.pb.h"

namespace warroom::psp {

// FAILED_PRECONDITION saying by how much when the call-off would exceed the contract's ceiling or
// fall outside its period.
Status CheckCallOff(const v1::FrameworkContract& contract, int64_t cost_rand, TimePoint starts,
                    TimePoint ends);

struct Track {  // a professional's record so far
  int ratings = 0, rating_sum = 0;
  int deliverables = 0, on_time = 0;
  int active = 0;  // deployments approved or active now
};

inline constexpr char kRankingRule[] =
    "eligible: the discipline asked for, a firm serving the province, a framework contract whose "
    "period covers the deployment and whose ceiling has room for it, and a free slot; score (0-100) "
    "= 50 x average rating / 5 + 30 x share of deliverables on time + 20 x share of slots free; "
    "without a record, rating and on-time count as 0.6; ties go to more years of experience, then "
    "the professional id";

// Ranks every eligible professional for the request, best first, each with its explanation.
std::vector<v1::Candidate> Rank(const v1::SupportRequest& request, const std::string& province,
                                const std::vector<v1::Firm>& firms,
                                const std::map<std::string, Track>& tracks, TimePoint starts,
                                TimePoint ends);

inline constexpr char kBacklogRule[] =
    "backlog = baseline below norm x (1 - assessed / baseline households) + assessed below norm: "
    "households assessed individually replace their share of the baseline estimate";

int64_t CombinedBacklog(int64_t baseline_total, int64_t baseline_below, int64_t assessed,
                        int64_t assessed_below);

}  // namespace warroom::psp
