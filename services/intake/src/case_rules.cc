#include "services/intake/src/case_rules.h"

#include <google/protobuf/util/time_util.h>

#include "warroom/common/enum_names.h"
#include "warroom/common/sa_identity.h"

namespace warroom::intake {

using google::protobuf::util::TimeUtil;

size_t CountCharacters(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

template <typename E>
bool KnownEnum(E value) {
  return value != 0 && google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(value) != nullptr;
}

void CheckText(const std::string& text, size_t max, const std::string& field, bool required,
               FieldErrors& errors) {
  size_t chars = CountCharacters(text);
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (required && blank) {
    errors.Add(field, "is required");
  } else if (chars > max) {
    errors.Add(field, "is " + std::to_string(chars) + " characters; at most " + std::to_string(max));
  }
}

void CheckCategory(v1::Category category, const std::string& field, FieldErrors& errors) {
  if (!KnownEnum(category)) {
    errors.Add(field, "unknown or missing category (" + std::to_string(category) + ")");
  }
}

void CheckCritical(v1::CriticalReason reason, FieldErrors& errors) {
  if (reason != 0 && !KnownEnum(reason)) {
    errors.Add("critical_reason", "unknown critical reason (" + std::to_string(reason) + ")");
  }
}

}  // namespace

void CheckPlace(v1::Place& place, const Geography& geo, const std::string& prefix,
                FieldErrors& errors) {
  bool has_position = place.has_position();
  if (!place.ward_code().empty()) {
    const Ward* ward = geo.FindWard(place.ward_code());
    if (ward == nullptr) {
      errors.Add(prefix + ".ward_code", "'" + place.ward_code() + "' is not a ward of " + geo.province());
    } else {
      if (!place.municipality_code().empty() && place.municipality_code() != ward->municipality_code) {
        errors.Add(prefix + ".municipality_code", "ward " + ward->code + " is in " +
                                                      ward->municipality_code + ", not " +
                                                      place.municipality_code());
      }
      place.set_municipality_code(ward->municipality_code);
    }
  } else if (!place.municipality_code().empty()) {
    const Municipality* m = geo.FindMunicipality(place.municipality_code());
    if (m == nullptr || (m->kind != MunicipalityKind::kMetro && m->kind != MunicipalityKind::kLocal)) {
      errors.Add(prefix + ".municipality_code",
                 "'" + place.municipality_code() + "' is not a metro or local municipality");
    }
  }
  if (has_position) {
    double lat = place.position().latitude(), lon = place.position().longitude();
    if (!geo.bounds().Contains(lat, lon)) {
      errors.Add(prefix + ".position", "is outside " + geo.province() + " (latitude " +
                                           std::to_string(lat) + ", longitude " +
                                           std::to_string(lon) + ")");
    }
  }
  if (place.ward_code().empty() && place.municipality_code().empty() && !has_position &&
      place.address().empty()) {
    errors.Add(prefix, "give a ward code, a municipality, a position or an address");
  }
  CheckText(place.address(), 500, prefix + ".address", false, errors);
}

Status ValidateReport(v1::ReportCaseRequest& r, const Geography& geo, const IntakeLimits& limits) {
  FieldErrors errors;
  const std::string& id = r.client_request_id();
  if (id.empty()) {
    errors.Add("client_request_id", "is required, so that a retry never makes a second case");
  } else if (id.size() > 128 || id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != std::string::npos) {
    errors.Add("client_request_id", "must be 1 to 128 of A-Z a-z 0-9 . _ : -");
  }
  if (!KnownEnum(r.channel())) {
    errors.Add("channel", "unknown or missing channel (" + std::to_string(r.channel()) + ")");
  }
  CheckCategory(r.category(), "category", errors);
  CheckPlace(*r.mutable_place(), geo, "place", errors);
  CheckText(r.description(), limits.max_description_chars, "description", true, errors);
  CheckCritical(r.critical_reason(), errors);
  if (r.has_reporter()) {
    const auto& c = r.reporter();
    if (r.anonymous() && (!c.name().empty() || !c.phone().empty() || !c.email().empty() ||
                          !c.id_number().empty())) {
      errors.Add("reporter", "an anonymous report carries no contact details");
    }
    CheckText(c.name(), 200, "reporter.name", false, errors);
    if (!c.phone().empty()) {
      auto phone = NormalizeSaPhone(c.phone());
      if (!phone) {
        errors.Add("reporter.phone", "is not a South African phone number (e.g. 082 555 1234)");
      } else {
        r.mutable_reporter()->set_phone(*phone);
      }
    }
    if (!c.email().empty() && !LooksLikeEmail(c.email())) {
      errors.Add("reporter.email", "is not an e-mail address");
    }
    if (!c.id_number().empty()) {
      if (auto problem = SaIdNumberProblem(c.id_number())) {
        errors.Add("reporter.id_number", "is not a valid South African ID number: " + *problem);
      }
    }
  }
  return errors.ToStatus("the report is invalid");
}

Status ValidateImportRecord(v1::ImportCaseRecord& r, const Geography& geo,
                            const IntakeLimits& limits, TimePoint now) {
  FieldErrors errors;
  if (r.source_system().empty() || r.source_system().size() > 64) {
    errors.Add("source_system", "is required (1 to 64 characters)");
  }
  if (r.source_id().empty() || r.source_id().size() > 128) {
    errors.Add("source_id", "is required (1 to 128 characters)");
  }
  CheckCategory(r.category(), "category", errors);
  CheckPlace(*r.mutable_place(), geo, "place", errors);
  CheckText(r.description(), limits.max_description_chars, "description", true, errors);
  CheckCritical(r.critical_reason(), errors);
  if (r.has_reported_at() && FromTimestamp(r.reported_at()) > now + std::chrono::minutes(5)) {
    errors.Add("reported_at", "is in the future");
  }
  return errors.ToStatus("the record is invalid");
}

bool IsOpen(v1::CaseStatus s) {
  return s == v1::CASE_STATUS_REPORTED || s == v1::CASE_STATUS_ACKNOWLEDGED ||
         s == v1::CASE_STATUS_IN_PROGRESS || s == v1::CASE_STATUS_AWAITING_RESIDENT ||
         s == v1::CASE_STATUS_REOPENED;
}

namespace {

using S = v1::CaseStatus;
using Req = v1::TransitionCaseRequest;

struct Rule {
  Req::ActionCase action;
  const char* verb;
  std::vector<S> from;
  S to;  // CASE_STATUS_UNSPECIFIED: the status stays
};

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {Req::kAcknowledge, "acknowledge", {S::CASE_STATUS_REPORTED, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_ACKNOWLEDGED},
      {Req::kStartWork, "start work on",
       {S::CASE_STATUS_REPORTED, S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_IN_PROGRESS},
      {Req::kAwaitResident, "await the resident on",
       {S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_IN_PROGRESS, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_AWAITING_RESIDENT},
      {Req::kResidentAnswered, "record the resident's answer on",
       {S::CASE_STATUS_AWAITING_RESIDENT}, S::CASE_STATUS_IN_PROGRESS},
      {Req::kResolve, "resolve",
       {S::CASE_STATUS_REPORTED, S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_IN_PROGRESS,
        S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_RESOLVED},
      {Req::kClose, "close", {S::CASE_STATUS_RESOLVED}, S::CASE_STATUS_CLOSED},
      {Req::kReopen, "reopen", {S::CASE_STATUS_RESOLVED, S::CASE_STATUS_CLOSED},
       S::CASE_STATUS_REOPENED},
      {Req::kReject, "reject",
       {S::CASE_STATUS_REPORTED, S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_REJECTED},
      {Req::kRecategorise, "recategorise",
       {S::CASE_STATUS_REPORTED, S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_IN_PROGRESS,
        S::CASE_STATUS_AWAITING_RESIDENT, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_UNSPECIFIED},
      {Req::kLocate, "locate",
       {S::CASE_STATUS_REPORTED, S::CASE_STATUS_ACKNOWLEDGED, S::CASE_STATUS_IN_PROGRESS,
        S::CASE_STATUS_AWAITING_RESIDENT, S::CASE_STATUS_REOPENED},
       S::CASE_STATUS_UNSPECIFIED},
  };
  return kRules;
}

v1::EventEnvelope StatusChangedEvent(const v1::Case& c, S from, TimePoint now) {
  v1::EventEnvelope e;
  auto* p = e.mutable_case_status_changed();
  p->set_case_number(c.case_number());
  p->set_from(from);
  p->set_to(c.status());
  p->set_referred_sphere(c.referred_sphere());
  p->set_referred_to(c.referred_to());
  *p->mutable_changed_at() = ToTimestamp(now);
  return e;
}

}  // namespace

StatusOr<TransitionResult> ApplyTransition(const v1::Case& current, const Req& request,
                                           TimePoint now, const Geography& geo,
                                           const IntakeLimits& limits) {
  const Rule* rule = nullptr;
  for (const auto& r : Rules()) {
    if (r.action == request.action_case()) rule = &r;
  }
  if (rule == nullptr) {
    return InvalidArgumentError("no action", {{"action", "choose one lifecycle action"}});
  }
  if (std::find(rule->from.begin(), rule->from.end(), current.status()) == rule->from.end()) {
    return FailedPreconditionError("cannot " + std::string(rule->verb) + " case " +
                                   current.case_number() + ": it is " + Label(current.status()));
  }
  TransitionResult result{current, {}};
  v1::Case& c = result.updated;
  FieldErrors errors;
  switch (request.action_case()) {
    case Req::kAwaitResident: {
      CheckText(request.await_resident().question(), limits.max_note_chars,
                "await_resident.question", true, errors);
      if (!errors.empty()) break;
      auto* note = c.add_notes();
      note->set_note_id("N" + std::to_string(c.notes_size()));
      note->set_public_(true);
      note->set_text(request.await_resident().question());
      note->set_author_role(request.actor_role());
      *note->mutable_added_at() = ToTimestamp(now);
      break;
    }
    case Req::kResolve:
      CheckText(request.resolve().resolution_note(), limits.max_note_chars,
                "resolve.resolution_note", true, errors);
      c.set_resolution_note(request.resolve().resolution_note());
      *c.mutable_resolved_at() = ToTimestamp(now);
      break;
    case Req::kReopen: {
      CheckText(request.reopen().reason(), limits.max_note_chars, "reopen.reason", true, errors);
      if (!errors.empty()) break;
      auto since = now - FromTimestamp(current.resolved_at());
      if (since > limits.reopen_window) {
        return FailedPreconditionError(
            "cannot reopen case " + current.case_number() + ": it was resolved " +
            std::to_string(std::chrono::duration_cast<std::chrono::hours>(since).count() / 24) +
            " days ago; a case reopens only within " +
            std::to_string(limits.reopen_window.count() / 24) + " days of resolution");
      }
      c.set_reopen_count(c.reopen_count() + 1);
      auto* note = c.add_notes();
      note->set_note_id("N" + std::to_string(c.notes_size()));
      note->set_public_(false);
      note->set_text("Reopened: " + request.reopen().reason());
      note->set_author_role(request.actor_role());
      *note->mutable_added_at() = ToTimestamp(now);
      break;
    }
    case Req::kReject: {
      const auto& rej = request.reject();
      if (!KnownEnum(rej.sphere())) errors.Add("reject.sphere", "choose the sphere it belongs to");
      CheckText(rej.body(), 200, "reject.body", true, errors);
      c.set_referred_sphere(rej.sphere());
      c.set_referred_to(rej.body());
      break;
    }
    case Req::kRecategorise:
      CheckCategory(request.recategorise().category(), "recategorise.category", errors);
      if (errors.empty() && request.recategorise().category() == current.category()) {
        errors.Add("recategorise.category", "is already " + Label(current.category()));
      }
      c.set_category(request.recategorise().category());
      break;
    case Req::kLocate: {
      if (!current.place().ward_code().empty()) {
        return FailedPreconditionError("case " + current.case_number() + " is already in ward " +
                                       current.place().ward_code());
      }
      const Ward* ward = geo.FindWard(request.locate().ward_code());
      if (ward == nullptr) {
        errors.Add("locate.ward_code", "'" + request.locate().ward_code() + "' is not a ward of " +
                                           geo.province());
        break;
      }
      c.mutable_place()->set_ward_code(ward->code);
      c.mutable_place()->set_municipality_code(ward->municipality_code);
      break;
    }
    default:
      break;
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the " + std::string(rule->verb) + " request is invalid"));

  S from = current.status();
  if (rule->to != S::CASE_STATUS_UNSPECIFIED) c.set_status(rule->to);
  *c.mutable_updated_at() = ToTimestamp(now);
  v1::EventEnvelope e;
  switch (request.action_case()) {
    case Req::kRecategorise: {
      auto* p = e.mutable_case_recategorised();
      p->set_case_number(c.case_number());
      p->set_from(current.category());
      p->set_to(c.category());
      break;
    }
    case Req::kLocate: {
      auto* p = e.mutable_case_located();
      p->set_case_number(c.case_number());
      p->set_ward_code(c.place().ward_code());
      p->set_municipality_code(c.place().municipality_code());
      break;
    }
    case Req::kReopen: {
      auto* p = e.mutable_case_reopened();
      p->set_case_number(c.case_number());
      p->set_reopen_count(c.reopen_count());
      *p->mutable_reopened_at() = ToTimestamp(now);
      break;
    }
    default:
      e = StatusChangedEvent(c, from, now);
  }
  result.events.push_back(std::move(e));
  return result;
}

}  // namespace warroom::intake
