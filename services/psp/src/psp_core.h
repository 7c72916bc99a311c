// PSP's application logic over its Redis: the firm registry, support requests, matching,
// deployments with their contract call-offs (the committed amount checked and moved in the same
// commit), deliverables, performance and skills transfer, capacity building, projects, district
// backlogs from the baseline and live household assessments, and the early warning that suggests
// a request when a water or sanitation hotspot has no engineer deployed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/psp/src/matching.h"
#include "warroom/common/clock.h"
#include "warroom/common/events.h"
#include "warroom/common/geography.h"
#include "warroom/common/kafka.h"
#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Gauge;
}  // namespace prometheus

namespace warroom::psp {

struct PriorityDistricts {
  std::vector<v1::PriorityDistrict> districts;
  static StatusOr<PriorityDistricts> Load(const std::string& text, const std::string& file);
  const v1::PriorityDistrict* Find(const std::string& code) const;
};

class PspCore {
 public:
  PspCore(RedisClient& redis, OutboxStore& outbox, const Geography& geo,
          const PriorityDistricts& priority, const Clock& clock, IdGenerator& ids,
          prometheus::Registry* registry);

  StatusOr<v1::Firm> RegisterFirm(const v1::RegisterFirmRequest& r);
  StatusOr<v1::SupportRequest> CreateRequest(const v1::CreateSupportRequestRequest& r);
  StatusOr<v1::ListSupportRequestsResponse> ListRequests(const v1::ListSupportRequestsRequest& r);
  StatusOr<v1::ShortlistResponse> Shortlist(const v1::ShortlistRequest& r);
  StatusOr<v1::Deployment> Propose(const v1::ProposeDeploymentRequest& r);
  StatusOr<v1::Deployment> Transition(const v1::TransitionDeploymentRequest& r);
  StatusOr<v1::Deployment> AddDeliverable(const v1::AddDeliverableRequest& r);
  StatusOr<v1::Deployment> CompleteDeliverable(const v1::CompleteDeliverableRequest& r);
  StatusOr<v1::CapacityRecorded> RecordCapacity(const v1::RecordCapacityRequest& r);
  StatusOr<v1::Project> UpsertProject(const v1::UpsertProjectRequest& r);
  StatusOr<v1::ServiceBacklogLine> ImportBaseline(const v1::ImportBaselineRequest& r);
  StatusOr<v1::DistrictBacklog> Backlog(const std::string& district);
  v1::ListPriorityDistrictsResponse Priority() const;

  // Household assessments move backlogs; water and sanitation hotspots may suggest a request.
  Status ApplyEvent(const KafkaMessage& message);
  void UpdateGauges();

 private:
  template <typename T>
  StatusOr<std::pair<int64_t, T>> LoadVersioned(const std::string& key);
  StatusOr<std::vector<v1::Firm>> Firms();
  StatusOr<std::vector<v1::Deployment>> Deployments();
  StatusOr<v1::DistrictBacklog> BacklogOf(const std::string& district,
                                          const std::vector<v1::Deployment>& deployments);
  StatusOr<std::map<std::string, Track>> Tracks();
  StatusOr<v1::Deployment> CommitDeployment(int64_t version, v1::Deployment after,
                                            v1::DeploymentEvent::Kind kind, Mutation m);
  std::string DistrictOf(const std::string& municipality) const;
  void EmitEvent(Mutation& m, const std::string& aggregate, int64_t version, v1::DeploymentEvent e);
  Status ApplyAssessment(const v1::EventEnvelope& e);
  Status ApplyHotspot(const v1::EventEnvelope& e);

  RedisClient& redis_;
  OutboxStore& outbox_;
  const Geography& geo_;
  const PriorityDistricts& priority_;
  const Clock& clock_;
  IdGenerator& ids_;
  EventFactory events_;
  prometheus::Family<prometheus::Gauge>* backlog_gauge_ = nullptr;
  prometheus::Family<prometheus::Gauge>* deployments_gauge_ = nullptr;
  prometheus::Family<prometheus::Gauge>* budget_gauge_ = nullptr;
  prometheus::Family<prometheus::Gauge>* spend_gauge_ = nullptr;
};

}  // namespace warroom::psp
