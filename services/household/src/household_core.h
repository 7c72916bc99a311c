// Household's application logic: profiles with their personal information kept apart, visits
// assessed against the norms (state, backlog counters and the anonymous assessment event in one
// commit), needs raised as cases in intake exactly once, due visits, backlogs, audited reads of
// personal fields and erasure on request.
#pragma once

#include <stop_token>
#include <string>

#include "services/household/src/access_policy.h"
#include "services/household/src/norms.h"
#include "warroom/common/clock.h"
#include "warroom/common/events.h"
#include "warroom/common/outbox.h"
#include "warroom/common/pii_cipher.h"
#include "warroom/common/redis.h"
#include "warroom/v1/intake.pb.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace warroom::household {

// Raises a case in intake; the request's client id makes a retry return the same case.
class CaseReporter {
 public:
  virtual ~CaseReporter() = default;
  virtual StatusOr<std::string> Report(const v1::ReportCaseRequest& request) = 0;
};

struct HouseholdData {
  const Geography* geo;
  const NormsPolicy* norms;
  const AccessPolicy* access;
  const PiiCipher* pii;  // seals the personal record at rest
};

class HouseholdCore {
 public:
  HouseholdCore(RedisClient& redis, OutboxStore& outbox, HouseholdData data, CaseReporter& cases,
                const Clock& clock, IdGenerator& ids, prometheus::Registry* registry);

  StatusOr<v1::Household> Register(const v1::RegisterHouseholdRequest& request, const Caller& caller);
  StatusOr<v1::Household> Update(const v1::UpdateHouseholdRequest& request, const Caller& caller);
  // Records the visit once (a retry with the same visit id returns it), then raises its needs as
  // cases; a need whose case could not be raised yet is raised by the background loop.
  StatusOr<v1::Visit> RecordVisit(const v1::RecordVisitRequest& request);
  StatusOr<v1::Household> Get(const std::string& household_id, const Caller& caller);
  StatusOr<v1::ListDueVisitsResponse> DueVisits(const v1::ListDueVisitsRequest& request);
  StatusOr<v1::GetBacklogResponse> Backlog(const v1::GetBacklogRequest& request);
  StatusOr<v1::Household> Erase(const v1::EraseHouseholdRequest& request, const Caller& caller);

  // Raises the cases of every visit with needs still waiting; returns how many were raised.
  StatusOr<int> RaisePendingCases();
  void Run(std::stop_token stop);

 private:
  struct Loaded {
    int64_t version = 0;
    v1::Household profile;
  };
  StatusOr<Loaded> Load(const std::string& household_id);
  // The personal record as stored: phone normalised, then sealed.
  std::string SealPersonal(v1::HouseholdPersonal personal) const;
  StatusOr<v1::Visit> LoadVisit(const std::string& household_id, const std::string& visit_id);
  StatusOr<v1::Visit> RaiseCases(const std::string& household_id, const std::string& visit_id);
  Status Audit(Mutation* m, const std::string& household_id, const Caller& caller,
               const std::string& what);

  RedisClient& redis_;
  OutboxStore& outbox_;
  HouseholdData data_;
  CaseReporter& cases_;
  const Clock& clock_;
  IdGenerator& ids_;
  EventFactory events_;
  prometheus::Family<prometheus::Counter>* visits_ = nullptr;
  prometheus::Family<prometheus::Counter>* assessed_ = nullptr;
  prometheus::Family<prometheus::Counter>* cases_raised_ = nullptr;
  prometheus::Family<prometheus::Counter>* personal_reads_ = nullptr;
};

// Validation shared by register and update: INVALID_ARGUMENT naming every bad field.
void ValidateProfile(const v1::DwellingType dwelling, const v1::AgeBands& ages, int64_t income,
                       const v1::HouseholdPersonal* personal, const Geography& geo,
                       FieldErrors& errors);

}  // namespace warroom::household
