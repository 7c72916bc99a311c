#include "warroom/common/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace warroom {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  if (status.violations().empty()) return grpc::Status(code, status.message());
  google::rpc::BadRequest bad_request;
  for (const auto& v : status.violations()) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(status.message());
  rich.add_details()->PackFrom(bad_request);
  return grpc::Status(code, status.message(), rich.SerializeAsString());
}

Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return Status::Ok();
  std::vector<FieldViolation> violations;
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      google::rpc::BadRequest bad_request;
      if (any.UnpackTo(&bad_request)) {
        for (const auto& fv : bad_request.field_violations()) {
          violations.push_back({fv.field(), fv.description()});
        }
      }
    }
  }
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message(),
                std::move(violations));
}

}  // namespace warroom
