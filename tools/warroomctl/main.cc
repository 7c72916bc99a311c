// warroomctl: the war-room command line over the services' gRPC APIs. Table output by default,
// --json for scripts. Errors print the gRPC code, the message and every field violation.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "import_file.h"
#include "warroom/common/api_metadata.h"
#include "warroom/common/config.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/geography.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/grpc_status.h"
#include "warroom/common/ids.h"
#include "warroom/v1/escalation.grpc.pb.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"
#include "warroom/v1/psp.grpc.pb.h"
#include "warroom/v1/reporting.grpc.pb.h"
#include "warroom/v1/routing.grpc.pb.h"
#include "services/reporting/src/ward_report_format.h"
#include "warroom/common/timestamps.h"

namespace warroom::ctl {
namespace {

using google::protobuf::util::TimeUtil;

struct Globals {
  std::string target = "127.0.0.1:50051";
  std::string routing_target = "127.0.0.1:50052";
  std::string escalation_target = "127.0.0.1:50053";
  std::string reporting_target = "127.0.0.1:50056";
  std::string household_target = "127.0.0.1:50054";
  std::string psp_target = "127.0.0.1:50055";
  bool json = false;
  std::string token;  // sent as "authorization: Bearer ..." when the services check callers
  TlsFiles tls;       // a client certificate for services that serve mutual TLS
};

// A stub of a service's API at its address, with the caller's token and certificate if given.
template <typename Service>
std::unique_ptr<typename Service::Stub> StubAt(const Globals& g, const std::string& target) {
  auto credentials = ClientCredentials(g.tls);
  if (!credentials.ok()) {
    std::cerr << "error: " << credentials.status().ToString() << "\n";
    std::exit(2);
  }
  return Service::NewStub(ClientChannel(target, *credentials, g.token));
}

// Prints a failed call and returns the exit code 1.
int Fail(const grpc::Status& s) {
  Status st = FromGrpcStatus(s);
  std::cerr << "error: " << StatusCodeName(st.code()) << ": " << st.message() << "\n";
  for (const auto& v : st.violations()) std::cerr << "  " << v.field << ": " << v.description << "\n";
  return 1;
}

// Parses a command-line label ("water", "in_progress") for an enum, or says on stderr which
// labels the enum takes.
template <typename E>
std::optional<E> LabelArg(const std::string& text, const char* what) {
  auto value = ParseLabel<E>(text);
  if (!value) {
    const auto* d = google::protobuf::GetEnumDescriptor<E>();
    std::string labels;
    for (int i = 1; i < d->value_count(); ++i) labels += (i > 1 ? ", " : "") + EnumLabel(d, d->value(i)->number());
    std::cerr << "error: unknown " << what << " '" << text << "' (one of: " << labels << ")\n";
  }
  return value;
}

// Applies an optional label argument; false (after saying why) when it is not a label of E.
template <typename E, typename Set>
bool SetIfGiven(const std::string& text, const char* what, Set set) {
  if (text.empty()) return true;
  auto value = LabelArg<E>(text, what);
  if (value) set(*value);
  return value.has_value();
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

// Under --json, prints m as one line of JSON and returns true: the verb then prints nothing else
// of it. Without --json, prints nothing and returns false.
bool PrintedAsJson(const Globals& g, const google::protobuf::Message& m) {
  if (!g.json) return false;
  std::cout << Json(m) << "\n";
  return true;
}

std::string When(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "-";
  return TimeUtil::ToString(t).substr(0, 16) + "Z";
}

void PrintCaseRow(const v1::Case& c) {
  std::printf("%-15s %-18s %-20s %-12s %-9s %-9s %-17s %s\n", c.case_number().c_str(),
              Label(c.status()).c_str(), Label(c.category()).c_str(), Label(c.channel()).c_str(),
              c.place().ward_code().empty() ? "-" : c.place().ward_code().c_str(),
              c.tier() ? Label(c.tier()).c_str() : "-", When(c.reported_at()).c_str(),
              c.overdue() ? "OVERDUE" : "");
}

void PrintCaseHeader() {
  std::printf("%-15s %-18s %-20s %-12s %-9s %-9s %-17s %s\n", "CASE", "STATUS", "CATEGORY",
              "CHANNEL", "WARD", "TIER", "REPORTED", "");
}

void PrintCase(const Globals& g, const v1::Case& c) {
  if (PrintedAsJson(g, c)) return;
  std::printf("case          %s (version %lld)\n", c.case_number().c_str(),
              static_cast<long long>(c.version()));
  std::printf("status        %s%s\n", Label(c.status()).c_str(), c.overdue() ? "  OVERDUE" : "");
  std::printf("category      %s\nchannel       %s\n", Label(c.category()).c_str(), Label(c.channel()).c_str());
  std::printf("place         ward %s, %s%s\n", c.place().ward_code().empty() ? "-" : c.place().ward_code().c_str(),
              c.place().municipality_code().c_str(), c.unlocated() ? " (unlocated)" : "");
  std::printf("reported      %s\n", When(c.reported_at()).c_str());
  if (c.critical_reason()) std::printf("critical      %s\n", Label(c.critical_reason()).c_str());
  if (!c.department().empty()) {
    std::printf("responsible   %s, %s, war room %s\n", Label(c.sphere()).c_str(),
                c.department().c_str(), c.war_room().c_str());
  }
  if (c.tier()) std::printf("tier          %s, due %s\n", Label(c.tier()).c_str(), When(c.due_at()).c_str());
  if (!c.duplicate_of().empty()) std::printf("duplicate of  %s\n", c.duplicate_of().c_str());
  for (const auto& d : c.possible_duplicates()) std::printf("duplicate     %s\n", d.c_str());
  if (!c.resolution_note().empty()) std::printf("resolution    %s\n", c.resolution_note().c_str());
  if (!c.referred_to().empty()) std::printf("referred to   %s (%s)\n", c.referred_to().c_str(), Label(c.referred_sphere()).c_str());
  std::printf("description   %s\n", c.description().c_str());
  for (const auto& n : c.notes()) {
    std::printf("note %-8s %s %s\n", n.public_() ? "public" : "internal", When(n.added_at()).c_str(),
                n.text().c_str());
  }
}

// ------------------------------------------------------------------------------------ report

struct ReportArgs {
  std::string request_id, channel = "hotline", category, ward, municipality, address, description,
      critical, name, phone, email, id_number;
  double lat = 0, lon = 0;
  bool anonymous = false;
};

int Report(const Globals& g, const ReportArgs& a) {
  if (a.category.empty() || a.description.empty()) {
    std::cerr << "error: report needs --category and --description (or a report subcommand: "
                 "ward, area, sla, overdue, rebuild)\n";
    return 2;
  }
  v1::ReportCaseRequest r;
  SystemClock clock;
  IdGenerator ids(clock);
  r.set_client_request_id(a.request_id.empty() ? "ctl-" + ids.NewUuidV7() : a.request_id);
  auto category = LabelArg<v1::Category>(a.category, "category");
  auto channel = LabelArg<v1::Channel>(a.channel, "channel");
  if (!category || !channel) return 2;
  r.set_category(*category);
  r.set_channel(*channel);
  if (!a.critical.empty()) {
    auto c = ParseLabel<v1::CriticalReason>(a.critical);
    r.set_critical_reason(c ? *c : static_cast<v1::CriticalReason>(-1));
  }
  r.mutable_place()->set_ward_code(a.ward);
  r.mutable_place()->set_municipality_code(a.municipality);
  r.mutable_place()->set_address(a.address);
  if (a.lat != 0 || a.lon != 0) {
    r.mutable_place()->mutable_position()->set_latitude(a.lat);
    r.mutable_place()->mutable_position()->set_longitude(a.lon);
  }
  r.set_description(a.description);
  r.set_anonymous(a.anonymous);
  if (!a.name.empty() || !a.phone.empty() || !a.email.empty() || !a.id_number.empty()) {
    r.mutable_reporter()->set_name(a.name);
    r.mutable_reporter()->set_phone(a.phone);
    r.mutable_reporter()->set_email(a.email);
    r.mutable_reporter()->set_id_number(a.id_number);
  }
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  grpc::ClientContext ctx;
  v1::ReportCaseResponse resp;
  auto s = stub->ReportCase(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, resp)) {
    std::cout << resp.case_number() << (resp.replayed() ? " (already reported)" : "") << "\n";
  }
  return 0;
}

int Get(const Globals& g, const std::string& number) {
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  grpc::ClientContext ctx;
  v1::GetCaseRequest r;
  r.set_case_number(number);
  v1::Case c;
  auto s = stub->GetCase(&ctx, r, &c);
  if (!s.ok()) return Fail(s);
  PrintCase(g, c);
  return 0;
}

struct ListArgs {
  std::string ward, municipality, status, category, channel, tier;
  bool overdue = false, all = false;
  int page_size = 50;
};

int List(const Globals& g, const ListArgs& a) {
  v1::ListCasesRequest r;
  r.set_ward_code(a.ward);
  r.set_municipality_code(a.municipality);
  if (!SetIfGiven<v1::CaseStatus>(a.status, "status", [&](auto v) { r.set_status(v); }) ||
      !SetIfGiven<v1::Category>(a.category, "category", [&](auto v) { r.set_category(v); }) ||
      !SetIfGiven<v1::Channel>(a.channel, "channel", [&](auto v) { r.set_channel(v); }) ||
      !SetIfGiven<v1::Tier>(a.tier, "tier", [&](auto v) { r.set_tier(v); })) {
    return 2;
  }
  r.set_overdue_only(a.overdue);
  r.set_page_size(a.page_size);
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  if (!g.json) PrintCaseHeader();
  while (true) {
    grpc::ClientContext ctx;
    v1::ListCasesResponse resp;
    auto s = stub->ListCases(&ctx, r, &resp);
    if (!s.ok()) return Fail(s);
    for (const auto& c : resp.cases()) {
      if (!PrintedAsJson(g, c)) PrintCaseRow(c);
    }
    if (!a.all || resp.next_page_token().empty()) {
      if (!g.json && !resp.next_page_token().empty()) {
        std::cerr << "(more: --all, or page token " << resp.next_page_token() << ")\n";
      }
      return 0;
    }
    r.set_page_token(resp.next_page_token());
  }
}

struct TransitionArgs {
  std::string number, action, text, sphere, body, category, ward, role = "ctl";
  int64_t version = 0;
};

int Transition(const Globals& g, const TransitionArgs& a) {
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  v1::TransitionCaseRequest r;
  r.set_case_number(a.number);
  r.set_actor_role(a.role);
  int64_t version = a.version;
  if (version == 0) {  // read the current version first
    grpc::ClientContext ctx;
    v1::GetCaseRequest get;
    get.set_case_number(a.number);
    v1::Case c;
    auto s = stub->GetCase(&ctx, get, &c);
    if (!s.ok()) return Fail(s);
    version = c.version();
  }
  r.set_expected_version(version);
  const std::string& x = a.action;
  if (x == "acknowledge") r.mutable_acknowledge();
  else if (x == "start") r.mutable_start_work();
  else if (x == "await") r.mutable_await_resident()->set_question(a.text);
  else if (x == "answered") r.mutable_resident_answered();
  else if (x == "resolve") r.mutable_resolve()->set_resolution_note(a.text);
  else if (x == "close") r.mutable_close();
  else if (x == "reopen") r.mutable_reopen()->set_reason(a.text);
  else if (x == "reject") {
    auto sphere = ParseLabel<v1::Sphere>(a.sphere);
    r.mutable_reject()->set_sphere(sphere ? *sphere : v1::SPHERE_UNSPECIFIED);
    r.mutable_reject()->set_body(a.body);
  } else if (x == "recategorise") {
    auto cat = ParseLabel<v1::Category>(a.category);
    r.mutable_recategorise()->set_category(cat ? *cat : v1::CATEGORY_UNSPECIFIED);
  } else if (x == "locate") {
    r.mutable_locate()->set_ward_code(a.ward);
  } else {
    std::cerr << "error: unknown action '" << x << "'\n";
    return 2;
  }
  grpc::ClientContext ctx;
  v1::Case c;
  auto s = stub->TransitionCase(&ctx, r, &c);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, c)) std::cout << c.case_number() << " is " << Label(c.status()) << " (version " << c.version() << ")\n";
  return 0;
}

int Note(const Globals& g, const std::string& number, const std::string& text, bool is_public) {
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  v1::AddNoteRequest r;
  r.set_case_number(number);
  r.set_text(text);
  r.set_public_(is_public);
  r.set_author_role("ctl");
  grpc::ClientContext ctx;
  v1::Case c;
  auto s = stub->AddNote(&ctx, r, &c);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, c)) std::cout << c.case_number() << ": note " << c.notes(c.notes_size() - 1).note_id() << " added\n";
  return 0;
}

// Follows a ward or municipality. A watch that was live and then lost (intake restarted, or this
// client fell too far behind) goes on from its last change's token, so that no change is missed;
// one that never became live fails at once.
int Watch(const Globals& g, const std::string& ward, const std::string& municipality, int count,
          std::string token) {
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  int seen = 0;
  bool live = false;
  auto backoff = std::chrono::milliseconds(250);
  for (;;) {
    v1::WatchCasesRequest r;
    r.set_ward_code(ward);
    r.set_municipality_code(municipality);
    r.set_resume_token(token);
    grpc::ClientContext ctx;
    auto reader = stub->WatchCases(&ctx, r);
    reader->WaitForInitialMetadata();
    const auto& headers = ctx.GetServerInitialMetadata();
    if (auto start = headers.find(metadata::kWatchResumeToken); start != headers.end()) {
      if (!live) {
        std::cerr << "watching " << (ward.empty() ? "municipality " + municipality : "ward " + ward)
                  << " from " << std::string(start->second.data(), start->second.size()) << std::endl;
      }
      if (token.empty()) token.assign(start->second.data(), start->second.size());
      live = true;
    }
    v1::CaseChange change;
    while ((count == 0 || seen < count) && reader->Read(&change)) {
      ++seen;
      token = change.resume_token();
      backoff = std::chrono::milliseconds(250);
      if (g.json) {
        std::cout << Json(change) << std::endl;
      } else {
        std::printf("%-22s ", change.change().c_str());
        PrintCaseRow(change.case_());
        std::fflush(stdout);
      }
    }
    if (count > 0 && seen >= count) {
      ctx.TryCancel();
      return 0;
    }
    auto s = reader->Finish();
    if (s.ok()) return 0;
    bool resumable = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                     s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
    if (!live || token.empty() || !resumable) return Fail(s);
    std::cerr << "watch: " << s.error_message() << "; going on after " << token << std::endl;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
  }
}

// ------------------------------------------------------------------------------------ routing

std::unique_ptr<v1::RoutingService::Stub> Routing(const Globals& g) {
  return StubAt<v1::RoutingService>(g, g.routing_target);
}

int RouteExplain(const Globals& g, const std::string& category, const std::string& ward,
                 const std::string& municipality) {
  v1::ExplainRouteRequest r;
  auto c = LabelArg<v1::Category>(category, "category");
  if (!c) return 2;
  r.set_category(*c);
  r.set_ward_code(ward);
  r.set_municipality_code(municipality);
  grpc::ClientContext ctx;
  v1::ExplainRouteResponse resp;
  auto s = Routing(g)->ExplainRoute(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, resp)) return 0;
  std::printf("rule          %s\nresponsible   %s, %s (%s)\nwar room      %s%s\n", resp.rule_id().c_str(),
              Label(resp.sphere()).c_str(), resp.department_name().c_str(), resp.department().c_str(),
              resp.war_room().c_str(), resp.unlocated() ? " (unlocated)" : "");
  for (const auto& line : resp.considered()) std::printf("  %s\n", line.c_str());
  return 0;
}

int RouteReassign(const Globals& g, const std::string& number, const std::string& department,
                  const std::string& reason, int64_t version) {
  auto stub = Routing(g);
  if (version == 0) {
    grpc::ClientContext ctx;
    v1::GetAssignmentRequest get;
    get.set_case_number(number);
    v1::Assignment current;
    auto s = stub->GetAssignment(&ctx, get, &current);
    if (!s.ok()) return Fail(s);
    version = current.version();
  }
  v1::ReassignRequest r;
  r.set_case_number(number);
  r.set_expected_version(version);
  r.set_department(department);
  r.set_reason(reason);
  r.set_actor_role("ctl");
  grpc::ClientContext ctx;
  v1::Assignment a;
  auto s = stub->Reassign(&ctx, r, &a);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, a)) std::cout << number << " is now with " << a.department_name() << " (" << a.department() << ")\n";
  return 0;
}

void PrintWarRoom(const v1::WarRoom& w) {
  std::string roles;
  for (const auto& r : w.roles()) roles += (roles.empty() ? "" : ", ") + r;
  std::printf("%-14s %-6s %-28s %-6s %s\n", w.id().c_str(), w.municipality_code().c_str(),
              w.region().empty() ? "-" : w.region().c_str(), w.district().c_str(), roles.c_str());
}

int WarRoomShow(const Globals& g, const std::string& id) {
  grpc::ClientContext ctx;
  v1::GetWarRoomRequest r;
  r.set_id(id);
  v1::WarRoom w;
  auto s = Routing(g)->GetWarRoom(&ctx, r, &w);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, w)) PrintWarRoom(w);
  return 0;
}

int WarRoomList(const Globals& g, const std::string& municipality, const std::string& region) {
  grpc::ClientContext ctx;
  v1::ListWarRoomsRequest r;
  r.set_municipality_code(municipality);
  r.set_region(region);
  v1::ListWarRoomsResponse resp;
  auto s = Routing(g)->ListWarRooms(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  for (const auto& w : resp.war_rooms()) {
    if (!PrintedAsJson(g, w)) PrintWarRoom(w);
  }
  return 0;
}

int RouteReload(const Globals& g) {
  grpc::ClientContext ctx;
  v1::ReloadRulesResponse resp;
  auto s = Routing(g)->ReloadRules(&ctx, v1::ReloadRulesRequest(), &resp);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, resp)) std::cout << resp.rules() << " rules loaded from " << resp.file() << "\n";
  return 0;
}

// ------------------------------------------------------------------------------------ escalation

std::unique_ptr<v1::EscalationService::Stub> Escalation(const Globals& g) {
  return StubAt<v1::EscalationService>(g, g.escalation_target);
}

int SlaShow(const Globals& g, const std::string& number) {
  grpc::ClientContext ctx;
  v1::GetSlaRequest r;
  r.set_case_number(number);
  v1::GetSlaResponse resp;
  auto s = Escalation(g)->GetSla(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, resp)) return 0;
  const auto& c = resp.clock();
  std::printf("case          %s\nclock         %s at the %s tier (%s calendar)%s\n", c.case_number().c_str(),
              EnumLabel(v1::SlaClock::State_descriptor(), c.state()).c_str(), Label(c.tier()).c_str(),
              c.calendar().c_str(), c.critical() ? ", critical" : "");
  std::printf("due           %s\nremaining     %lld min of business time\n", When(c.due_at()).c_str(),
              static_cast<long long>(resp.remaining_seconds() / 60));
  for (const auto& t : c.tiers()) {
    std::printf("tier %-14s %s .. %s %s\n", Label(t.tier()).c_str(), When(t.started_at()).c_str(),
                When(t.ended_at()).c_str(), t.outcome().c_str());
  }
  return 0;
}

int Overdue(const Globals& g, const std::string& tier, const std::string& municipality,
            const std::string& ward) {
  v1::ListOverdueRequest r;
  if (!tier.empty()) {
    auto t = LabelArg<v1::Tier>(tier, "tier");
    if (!t) return 2;
    r.set_tier(*t);
  }
  r.set_municipality_code(municipality);
  r.set_ward_code(ward);
  grpc::ClientContext ctx;
  v1::ListOverdueResponse resp;
  auto s = Escalation(g)->ListOverdue(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  for (const auto& c : resp.clocks()) {
    if (!PrintedAsJson(g, c))
      std::printf("%-15s %-15s %-9s %-6s due %s\n", c.case_number().c_str(),
                  Label(c.tier()).c_str(), c.ward_code().c_str(), c.municipality_code().c_str(),
                  When(c.due_at()).c_str());
  }
  return 0;
}

int Alerts(const Globals& g, const std::string& ward, const std::string& municipality, bool all,
           const std::string& acknowledge) {
  auto stub = Escalation(g);
  if (!acknowledge.empty()) {
    grpc::ClientContext ctx;
    v1::AcknowledgeAlertRequest r;
    r.set_alert_id(acknowledge);
    r.set_actor_role("ctl");
    v1::HotspotAlert a;
    auto s = stub->AcknowledgeAlert(&ctx, r, &a);
    if (!s.ok()) return Fail(s);
    if (!PrintedAsJson(g, a)) std::cout << a.alert_id() << " acknowledged\n";
    return 0;
  }
  grpc::ClientContext ctx;
  v1::ListAlertsRequest r;
  r.set_ward_code(ward);
  r.set_municipality_code(municipality);
  r.set_include_acknowledged(all);
  v1::ListAlertsResponse resp;
  auto s = stub->ListAlerts(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  for (const auto& a : resp.alerts()) {
    if (!PrintedAsJson(g, a))
      std::printf("%-36s %-9s %-20s %4lld cases (baseline %.1f) since %s%s\n", a.alert_id().c_str(),
                  a.ward_code().c_str(), Label(a.category()).c_str(),
                  static_cast<long long>(a.count()), a.baseline(), When(a.window_start()).c_str(),
                  a.acknowledged() ? "  acknowledged" : "");
  }
  return 0;
}

// ------------------------------------------------------------------------------------ import

std::unique_ptr<v1::ReportingService::Stub> Reporting(const Globals& g) {
  return StubAt<v1::ReportingService>(g, g.reporting_target);
}

int ReportWard(const Globals& g, const std::string& ward, const std::string& month,
               const std::string& format, const std::string& out_path) {
  auto fmt = reporting::ParseReportFormat(format);
  if (!fmt) {
    std::cerr << "error: unknown format '" << format << "' (one of: markdown, csv, json)\n";
    return 2;
  }
  v1::GetWardReportRequest r;
  r.set_ward_code(ward);
  r.set_month(month.empty() ? MonthOf(UnixSeconds(SystemClock().Now())) : month);
  grpc::ClientContext ctx;
  v1::WardReport resp;
  auto s = Reporting(g)->GetWardReport(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  std::string text = reporting::FormatWardReport(resp, *fmt);
  if (out_path.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(out_path);
  out << text;
  if (!out) {
    std::cerr << "error: cannot write " << out_path << "\n";
    return 1;
  }
  std::cerr << "wrote " << out_path << "\n";
  return 0;
}

int ReportArea(const Globals& g, const std::string& level, const std::string& code) {
  v1::GetAreaSummaryRequest r;
  auto l = LabelArg<v1::AreaLevel>(level, "level");
  if (!l) return 2;
  r.set_level(*l);
  r.set_code(code);
  grpc::ClientContext ctx;
  v1::AreaSummary resp;
  auto s = Reporting(g)->GetAreaSummary(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, resp)) return 0;
  const auto& t = resp.totals();
  std::printf("%s (%s)\ncases %lld  open %lld  overdue %lld  resolved %lld  closed %lld  rejected %lld\n",
              resp.area().name().c_str(), resp.area().code().c_str(), (long long)t.cases(),
              (long long)t.open(), (long long)t.overdue(), (long long)t.resolved(),
              (long long)t.closed(), (long long)t.rejected());
  std::printf("escalations %lld  open hotspots %lld\n", (long long)resp.escalations(),
              (long long)resp.open_hotspots());
  for (const auto& c : resp.by_category()) {
    std::printf("  %-40s open %6lld  overdue %6lld  resolved %6lld\n", Label(c.category()).c_str(),
                (long long)c.counts().open(), (long long)c.counts().overdue(),
                (long long)c.counts().resolved());
  }
  return 0;
}

int ReportSla(const Globals& g, const std::string& level, const std::string& code,
              const std::string& month, const std::string& department) {
  v1::GetSlaComplianceRequest r;
  auto l = LabelArg<v1::AreaLevel>(level, "level");
  if (!l) return 2;
  r.set_level(*l);
  r.set_code(code);
  r.set_month(month);
  r.set_department(department);
  grpc::ClientContext ctx;
  v1::GetSlaComplianceResponse resp;
  auto s = Reporting(g)->GetSlaCompliance(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, resp)) return 0;
  auto line = [](const std::string& what, const v1::SlaComplianceRow& row) {
    std::printf("%-32s met %6lld  breached %6lld  %5.1f%%\n", what.c_str(), (long long)row.met(),
                (long long)row.breached(), 100.0 * row.share());
  };
  line("overall", resp.overall());
  for (const auto& row : resp.by_tier()) line("tier " + Label(row.tier()), row);
  for (const auto& row : resp.by_department()) line(row.department(), row);
  return 0;
}

int ReportOverdue(const Globals& g, const std::string& war_room, const std::string& ward,
                  const std::string& municipality) {
  v1::ListOverdueCasesRequest r;
  r.set_war_room(war_room);
  r.set_ward_code(ward);
  r.set_municipality_code(municipality);
  grpc::ClientContext ctx;
  v1::ListOverdueCasesResponse resp;
  auto s = Reporting(g)->ListOverdue(&ctx, r, &resp);
  if (!s.ok()) return Fail(s);
  for (const auto& c : resp.cases()) {
    if (!PrintedAsJson(g, c))
      std::printf("%-15s %-9s %-22s %-13s %s\n", c.case_number().c_str(), c.ward_code().c_str(),
                  c.department().c_str(), Label(c.tier()).c_str(), Label(c.category()).c_str());
  }
  if (!g.json) std::printf("%lld overdue\n", (long long)resp.total());
  return 0;
}

int ReportRebuild(const Globals& g) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  v1::RebuildResponse resp;
  auto s = Reporting(g)->Rebuild(&ctx, v1::RebuildRequest(), &resp);
  if (!s.ok()) return Fail(s);
  if (!PrintedAsJson(g, resp)) {
    std::printf("rebuilt %lld cases from %lld events in %.2f s (%.0f events/s); %s the live model\n",
                (long long)resp.cases(), (long long)resp.events_applied(), resp.seconds(),
                resp.events_per_second(), resp.equal() ? "equal to" : "DIFFERENT from");
  }
  return resp.equal() ? 0 : 1;
}

std::unique_ptr<v1::HouseholdService::Stub> HouseholdStub(const Globals& g) {
  return StubAt<v1::HouseholdService>(g, g.household_target);
}

// Calls as a community development worker (who may see personal fields, with a purpose).
void AsCdw(grpc::ClientContext& ctx, const std::string& purpose) {
  ctx.AddMetadata("x-warroom-role", "community_development_worker");
  ctx.AddMetadata("x-warroom-actor", "warroomctl");
  ctx.AddMetadata("x-warroom-purpose", purpose);
}

// A synthetic, valid-looking SA ID number: birth date, sequence, citizen, 8, Luhn digit.
std::string SyntheticIdNumber(std::mt19937_64& rng) {
  char base[16];
  std::snprintf(base, sizeof(base), "%02d%02d%02d%04d08", static_cast<int>(rng() % 80 + 20),
                static_cast<int>(rng() % 12 + 1), static_cast<int>(rng() % 28 + 1),
                static_cast<int>(rng() % 10000));
  std::string id(base);
  for (char d = '0'; d <= '9'; ++d) {
    std::string candidate = id + d;
    int sum = 0;
    for (size_t i = 0; i < candidate.size(); ++i) {
      int digit = candidate[candidate.size() - 1 - i] - '0';
      if (i % 2 == 1 && (digit *= 2) > 9) digit -= 9;
      sum += digit;
    }
    if (sum % 10 == 0) return candidate;
  }
  return id + "0";
}

// Synthetic households for a few wards of each metro and local municipality, with plausible
// shares of informal and backyard dwellings and of service gaps, each visited once.
int HouseholdDemo(const Globals& g, int per_ward, const std::string& data_dir, uint64_t seed) {
  auto geo = Geography::LoadDir(data_dir);
  if (!geo.ok()) {
    std::cerr << "error: " << geo.status().ToString() << "\n";
    return 2;
  }
  std::mt19937_64 rng(seed);
  auto pct = [&] { return static_cast<int>(rng() % 100); };
  const std::vector<std::string> first = {"Thabo", "Naledi", "Sipho", "Lerato", "Bongani", "Zanele", "Pieter", "Ayesha", "Tshepo", "Nomvula"};
  const std::vector<std::string> last = {"Mokoena", "Dlamini", "Nkosi", "Khumalo", "van Wyk", "Naidoo", "Molefe", "Mahlangu", "Sithole", "Botha"};
  auto stub = HouseholdStub(g);
  int made = 0, failed = 0;
  for (const auto& [code, m] : geo->municipalities()) {
    if (m.kind == MunicipalityKind::kProvince || m.kind == MunicipalityKind::kDistrict) continue;
    auto wards = geo->WardsOf(code);
    for (size_t w = 0; w < std::min<size_t>(3, wards.size()); ++w) {
      for (int i = 0; i < per_ward; ++i) {
        int d = pct();
        v1::RegisterHouseholdRequest r;
        r.set_client_request_id("demo-" + std::to_string(seed) + "-" + wards[w]->code + "-" + std::to_string(i));
        r.set_ward_code(wards[w]->code);
        r.set_dwelling(d < 20 ? v1::DWELLING_TYPE_INFORMAL : d < 32 ? v1::DWELLING_TYPE_BACKYARD
                       : d < 35 ? v1::DWELLING_TYPE_TRADITIONAL : v1::DWELLING_TYPE_FORMAL);
        r.mutable_ages()->set_children_0_5(static_cast<int>(rng() % 2));
        r.mutable_ages()->set_children_6_17(static_cast<int>(rng() % 3));
        r.mutable_ages()->set_adults_18_59(1 + static_cast<int>(rng() % 3));
        r.mutable_ages()->set_adults_60_plus(static_cast<int>(rng() % 2));
        r.set_monthly_income_rand(static_cast<int64_t>(rng() % 15000));
        r.mutable_personal()->mutable_head()->set_name(first[rng() % first.size()] + " " + last[rng() % last.size()]);
        r.mutable_personal()->mutable_head()->set_id_number(SyntheticIdNumber(rng));
        r.mutable_personal()->mutable_head()->set_phone("07" + std::to_string(10000000 + rng() % 89999999));
        r.mutable_personal()->set_address(std::to_string(1 + rng() % 400) + " Demo Street");
        grpc::ClientContext ctx;
        AsCdw(ctx, "demo registration");
        v1::Household h;
        if (!stub->RegisterHousehold(&ctx, r, &h).ok()) {
          ++failed;
          continue;
        }
        bool informal = r.dwelling() != v1::DWELLING_TYPE_FORMAL;
        v1::RecordVisitRequest v;
        v.set_visit_id("demo-visit-" + h.household_id());
        v.set_household_id(h.household_id());
        v.set_cdw_id("cdw-demo");
        auto* o = v.mutable_observed();
        o->set_water_source(informal && pct() < 60 ? v1::WATER_SOURCE_COMMUNAL_STANDPIPE : v1::WATER_SOURCE_PIPED_IN_YARD);
        o->set_water_distance_m(o->water_source() == v1::WATER_SOURCE_COMMUNAL_STANDPIPE ? 50 + static_cast<int>(rng() % 400) : 5);
        o->set_sanitation(informal && pct() < 50 ? v1::SANITATION_TYPE_PIT_UNVENTILATED : v1::SANITATION_TYPE_FLUSH_SEWER);
        o->set_electricity(informal && pct() < 35 ? v1::ELECTRICITY_SOURCE_INFORMAL_CONNECTION : v1::ELECTRICITY_SOURCE_GRID);
        o->set_refuse_collections_per_month(pct() < 15 ? static_cast<int>(rng() % 3) : 4);
        o->set_road_access(informal && pct() < 30 ? v1::ROAD_ACCESS_DRY_WEATHER_ONLY : v1::ROAD_ACCESS_ALL_WEATHER);
        o->set_floor_area_m2(informal ? 12 + static_cast<int>(rng() % 20) : 40 + static_cast<int>(rng() % 80));
        if (pct() < 15) v.add_needs()->set_kind(pct() < 50 ? v1::NEED_KIND_GRANT : v1::NEED_KIND_IDENTITY_DOCUMENT);
        grpc::ClientContext vctx;
        v1::Visit visit;
        if (stub->RecordVisit(&vctx, v, &visit).ok()) ++made; else ++failed;
      }
    }
  }
  std::fprintf(stderr, "household demo: %d households registered and visited (%d failed)\n", made, failed);
  return failed == 0 ? 0 : 1;
}

int HouseholdShow(const Globals& g, const std::string& id, const std::string& purpose) {
  grpc::ClientContext ctx;
  if (!purpose.empty()) AsCdw(ctx, purpose);
  v1::GetHouseholdRequest r;
  r.set_household_id(id);
  v1::Household h;
  auto s = HouseholdStub(g)->GetHousehold(&ctx, r, &h);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, h)) return 0;
  std::printf("%s  ward %s  %s  version %lld%s\n", h.household_id().c_str(), h.ward_code().c_str(),
              Label(h.dwelling()).c_str(), (long long)h.version(), h.erased() ? "  (personal information erased)" : "");
  if (h.has_personal()) std::printf("head: %s  %s\n", h.personal().head().name().c_str(), h.personal().head().phone().c_str());
  if (h.personal_redacted()) std::printf("personal fields withheld (give --purpose as a role that may see them)\n");
  for (const auto& s2 : h.latest().services()) {
    std::printf("  %-16s %-11s %s\n", Label(s2.service()).c_str(), Label(s2.level()).c_str(), s2.rule().c_str());
  }
  if (!h.latest().indigent_rule().empty()) std::printf("  %s\n", h.latest().indigent_rule().c_str());
  return 0;
}

int HouseholdBacklog(const Globals& g, const std::string& ward, const std::string& municipality) {
  grpc::ClientContext ctx;
  v1::GetBacklogRequest r;
  r.set_ward_code(ward);
  r.set_municipality_code(municipality);
  v1::GetBacklogResponse b;
  auto s = HouseholdStub(g)->GetBacklog(&ctx, r, &b);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, b)) return 0;
  std::printf("households assessed %lld, indigent %lld\n", (long long)b.households_assessed(), (long long)b.indigent());
  for (const auto& row : b.services()) {
    std::printf("  %-16s met %6lld  below norm %6lld  no access %6lld\n", Label(row.service()).c_str(),
                (long long)row.met(), (long long)row.below_norm(), (long long)row.no_access());
  }
  return 0;
}

int HouseholdDue(const Globals& g, const std::string& ward, const std::string& month) {
  grpc::ClientContext ctx;
  v1::ListDueVisitsRequest r;
  r.set_ward_code(ward);
  r.set_month(month.empty() ? MonthOf(UnixSeconds(SystemClock().Now())) : month);
  v1::ListDueVisitsResponse d;
  auto s = HouseholdStub(g)->ListDueVisits(&ctx, r, &d);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, d)) return 0;
  for (const auto& id : d.household_ids()) std::cout << id << "\n";
  std::fprintf(stderr, "%lld households, %lld visited, %d due, %lld missed last month\n", (long long)d.households(),
               (long long)d.visited(), d.household_ids_size(), (long long)d.missed_previous_month());
  return 0;
}

std::unique_ptr<v1::PspService::Stub> PspStub(const Globals& g) {
  return StubAt<v1::PspService>(g, g.psp_target);
}

int PspDistricts(const Globals& g) {
  grpc::ClientContext ctx;
  v1::ListPriorityDistrictsResponse out;
  auto s = PspStub(g)->ListPriorityDistricts(&ctx, {}, &out);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, out)) return 0;
  for (const auto& d : out.districts()) std::printf("%-6s %-3s %s\n", d.code().c_str(), d.province().c_str(), d.name().c_str());
  return 0;
}

int PspBacklog(const Globals& g, const std::string& district) {
  grpc::ClientContext ctx;
  v1::GetDistrictBacklogRequest r;
  r.set_district_code(district);
  v1::DistrictBacklog b;
  auto s = PspStub(g)->GetDistrictBacklog(&ctx, r, &b);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, b)) return 0;
  std::printf("%s %s%s: %d PSP deployments, %lld municipal staff trained\n", b.district_code().c_str(),
              b.name().c_str(), b.priority() ? " (priority district)" : "", b.active_deployments(),
              (long long)b.capacity_trained());
  for (const auto& l : b.services()) {
    std::printf("  %-16s baseline %7lld of %8lld  assessed %6lld below %6lld  backlog %7lld  projects serve %lld\n",
                Label(l.service()).c_str(), (long long)l.baseline_below_norm(), (long long)l.baseline_households(),
                (long long)l.assessed_households(), (long long)l.assessed_below_norm(),
                (long long)l.backlog_households(), (long long)l.project_beneficiaries());
  }
  std::printf("rule: %s\n", b.rule().c_str());
  return 0;
}

int PspRequests(const Globals& g, bool suggested, const std::string& municipality) {
  grpc::ClientContext ctx;
  v1::ListSupportRequestsRequest r;
  r.set_municipality_code(municipality);
  if (suggested) r.set_status(v1::REQUEST_STATUS_SUGGESTED);
  v1::ListSupportRequestsResponse out;
  auto s = PspStub(g)->ListSupportRequests(&ctx, r, &out);
  if (!s.ok()) return Fail(s);
  for (const auto& q : out.requests()) {
    if (!PrintedAsJson(g, q))
      std::printf("%s %-6s %-10s %-18s %s\n", q.request_id().c_str(), q.municipality_code().c_str(),
                  Label(q.status()).c_str(), Label(q.discipline()).c_str(), q.reason().c_str());
  }
  return 0;
}

int PspShortlist(const Globals& g, const std::string& request_id) {
  grpc::ClientContext ctx;
  v1::ShortlistRequest r;
  r.set_request_id(request_id);
  v1::ShortlistResponse out;
  auto s = PspStub(g)->Shortlist(&ctx, r, &out);
  if (!s.ok()) return Fail(s);
  if (PrintedAsJson(g, out)) return 0;
  for (const auto& c : out.candidates()) {
    std::printf("%6.2f  %s / %s  %s\n", c.score(), c.firm_id().c_str(), c.professional_id().c_str(), c.explanation().c_str());
  }
  std::printf("rule: %s\n", out.rule().c_str());
  return 0;
}

int Import(const Globals& g, const std::string& path, std::string format) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    return 2;
  }
  if (format.empty()) format = path.ends_with(".jsonl") || path.ends_with(".ndjson") ? "jsonl" : "csv";
  // Read every row first, so that the progress bar knows its total.
  std::vector<v1::ImportCaseRecord> records;
  std::vector<std::pair<int64_t, Status>> unreadable;
  int64_t row = 0;
  if (format == "csv") {
    std::vector<std::string> header, fields;
    if (!ReadCsvRecord(in, header)) {
      std::cerr << "error: " << path << " is empty\n";
      return 2;
    }
    row = 1;
    while (ReadCsvRecord(in, fields)) {
      ++row;
      if (fields.size() == 1 && fields[0].empty()) continue;
      std::vector<std::pair<std::string, std::string>> named;
      for (size_t i = 0; i < fields.size(); ++i) {
        named.emplace_back(i < header.size() ? header[i] : "column " + std::to_string(i + 1), fields[i]);
      }
      auto r = RecordFromFields(named, row);
      if (r.ok()) records.push_back(std::move(*r));
      else unreadable.emplace_back(row, r.status());
    }
  } else if (format == "jsonl") {
    std::string line;
    while (std::getline(in, line)) {
      ++row;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto r = RecordFromJsonLine(line, row);
      if (r.ok()) records.push_back(std::move(*r));
      else unreadable.emplace_back(row, r.status());
    }
  } else {
    std::cerr << "error: --format is csv or jsonl\n";
    return 2;
  }

  auto stub = StubAt<v1::IntakeService>(g, g.target);
  grpc::ClientContext ctx;
  auto stream = stub->ImportCaseGroups(&ctx);
  std::thread writer([&] {
    // Records go in groups (a message and a network write per group, not per record), each
    // closed at kGroup records or about 1 MB, well under gRPC's 4 MB message limit.
    constexpr int kGroup = 256;
    constexpr size_t kGroupBytes = 1 << 20;
    v1::ImportCaseRecords group;
    size_t bytes = 0;
    auto send = [&] {
      bool sent = group.records().empty() || stream->Write(group);
      group.Clear();
      bytes = 0;
      return sent;
    };
    bool open = true;  // false once a write failed: the call is over, send nothing more
    for (auto& r : records) {  // moved into the group: only records.size() is read afterwards
      bytes += r.ByteSizeLong();
      *group.add_records() = std::move(r);
      if ((group.records_size() >= kGroup || bytes >= kGroupBytes) && !(open = send())) break;
    }
    if (open) send();
    stream->WritesDone();
  });
  int64_t counts[5] = {};
  std::vector<v1::ImportCaseResult> rejected;
  v1::ImportCaseResults results;
  size_t done = 0;
  bool tty = isatty(2);
  while (stream->Read(&results)) {
    for (const auto& result : results.results()) {
      ++done;
      ++counts[result.outcome()];
      if (result.outcome() == v1::ImportCaseResult::OUTCOME_REJECTED) rejected.push_back(result);
      PrintedAsJson(g, result);
    }
    if (tty) {
      int width = 40;
      int filled = records.empty() ? width : static_cast<int>(width * done / records.size());
      std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(filled, '=').c_str(),
                   std::string(width - filled, ' ').c_str(), done, records.size());
    }
  }
  writer.join();
  auto s = stream->Finish();
  if (tty) std::fprintf(stderr, "\n");
  if (!s.ok()) return Fail(s);
  int64_t rejected_total = counts[v1::ImportCaseResult::OUTCOME_REJECTED] + static_cast<int64_t>(unreadable.size());
  std::fprintf(stderr, "accepted %lld, updated %lld, unchanged %lld, rejected %lld (of %lld rows)\n",
               static_cast<long long>(counts[v1::ImportCaseResult::OUTCOME_CREATED]),
               static_cast<long long>(counts[v1::ImportCaseResult::OUTCOME_UPDATED]),
               static_cast<long long>(counts[v1::ImportCaseResult::OUTCOME_UNCHANGED]),
               static_cast<long long>(rejected_total),
               static_cast<long long>(records.size() + unreadable.size()));
  int shown = 0;
  for (const auto& [r, st] : unreadable) {
    if (shown++ >= 20) break;
    std::fprintf(stderr, "  row %lld: %s\n", static_cast<long long>(r), st.ToString().c_str());
  }
  for (const auto& r : rejected) {
    if (shown++ >= 20) break;
    std::string why;
    for (const auto& v : r.violations()) why += (why.empty() ? "" : "; ") + v.field() + ": " + v.description();
    std::fprintf(stderr, "  row %lld (%s): %s\n", static_cast<long long>(r.row()), r.source_id().c_str(), why.c_str());
  }
  return rejected_total > 0 ? 3 : 0;
}

// ------------------------------------------------------------------------------------ demo

int Demo(const Globals& g, int cases, const std::string& data_dir, uint64_t seed) {
  auto geo = Geography::LoadDir(data_dir);
  if (!geo.ok()) {
    std::cerr << "error: " << geo.status().ToString() << "\n";
    return 2;
  }
  std::vector<const Ward*> wards;
  for (const auto& [code, w] : geo->wards()) wards.push_back(&w);
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  // Shares loosely follow what war rooms see most: water, electricity, refuse and housing.
  const std::vector<std::pair<v1::Category, const char*>> kinds = {
      {v1::CATEGORY_WATER, "No water supply in the street since yesterday"},
      {v1::CATEGORY_WATER, "Burst pipe flooding the road"},
      {v1::CATEGORY_SANITATION, "Sewage spilling from a manhole near the school"},
      {v1::CATEGORY_ELECTRICITY, "Transformer down, whole section without power"},
      {v1::CATEGORY_ELECTRICITY, "Streetlights not working for two weeks"},
      {v1::CATEGORY_REFUSE_REMOVAL, "Refuse not collected for three weeks"},
      {v1::CATEGORY_REFUSE_REMOVAL, "Illegal dumping on the open field"},
      {v1::CATEGORY_ROADS_STORMWATER, "Potholes making the road impassable"},
      {v1::CATEGORY_HOUSING, "RDP house walls cracking"},
      {v1::CATEGORY_HEALTH, "Clinic out of chronic medication"},
      {v1::CATEGORY_SOCIAL_GRANTS, "Child support grant not paid this month"},
      {v1::CATEGORY_EDUCATION, "No scholar transport for learners"},
      {v1::CATEGORY_SAFETY, "No visible policing at the taxi rank at night"},
      {v1::CATEGORY_FOOD_SECURITY, "Household without food, elderly member"},
      {v1::CATEGORY_JOBS_LOCAL_ECONOMY, "EPWP stipends late"},
      {v1::CATEGORY_EARLY_CHILDHOOD_DEVELOPMENT, "Creche needs registration support"},
  };
  const std::vector<v1::Channel> channels = {
      v1::CHANNEL_HOTLINE, v1::CHANNEL_HOTLINE,   v1::CHANNEL_WALK_IN, v1::CHANNEL_WALK_IN,
      v1::CHANNEL_HOUSEHOLD_VISIT, v1::CHANNEL_IZIMBIZO, v1::CHANNEL_HOTSPOT, v1::CHANNEL_WEB,
      v1::CHANNEL_SMS, v1::CHANNEL_EMAIL, v1::CHANNEL_MEDIA};
  auto stub = StubAt<v1::IntakeService>(g, g.target);
  int made = 0, failed = 0;
  for (int i = 0; i < cases; ++i) {
    const auto& kind = kinds[pick(kinds.size())];
    const Ward* ward = wards[pick(wards.size())];
    v1::ReportCaseRequest r;
    r.set_client_request_id("demo-" + std::to_string(seed) + "-" + std::to_string(i));
    r.set_channel(channels[pick(channels.size())]);
    r.set_category(kind.first);
    r.mutable_place()->set_ward_code(ward->code);
    r.set_description(kind.second);
    r.set_anonymous(true);
    if (pick(100) < 2) r.set_critical_reason(v1::CRITICAL_REASON_DANGER_TO_LIFE_OR_HEALTH);
    grpc::ClientContext ctx;
    v1::ReportCaseResponse resp;
    if (!stub->ReportCase(&ctx, r, &resp).ok()) {
      ++failed;
      continue;
    }
    ++made;
    // Move a share of the cases along their lifecycle so the demo shows every state.
    std::vector<std::function<void(v1::TransitionCaseRequest&)>> steps;
    size_t roll = pick(100);
    if (roll < 60) steps.push_back([](auto& t) { t.mutable_acknowledge(); });
    if (roll < 45) steps.push_back([](auto& t) { t.mutable_start_work(); });
    if (roll >= 40 && roll < 45) steps.push_back([](auto& t) { t.mutable_await_resident()->set_question("Please confirm the house number"); });
    if (roll < 25) steps.push_back([](auto& t) { t.mutable_resolve()->set_resolution_note("Attended to by the department"); });
    if (roll < 10) steps.push_back([](auto& t) { t.mutable_close(); });
    if (roll >= 95) steps = {[](auto& t) { t.mutable_reject()->set_sphere(v1::SPHERE_NATIONAL); t.mutable_reject()->set_body("SASSA"); }};
    int64_t version = resp.case_().version();
    for (auto& step : steps) {
      v1::TransitionCaseRequest t;
      t.set_case_number(resp.case_number());
      t.set_expected_version(version);
      t.set_actor_role("demo");
      step(t);
      grpc::ClientContext tctx;
      v1::Case c;
      if (!stub->TransitionCase(&tctx, t, &c).ok()) break;
      version = c.version();
    }
  }
  std::fprintf(stderr, "demo: %d cases reported (%d failed)\n", made, failed);
  return failed == 0 ? 0 : 1;
}

int Run(int argc, char** argv) {
  PrepareProcess();
  CLI::App app("warroomctl: the war-room command line");
  app.require_subcommand(1);
  app.fallthrough();  // the options above also after the verb: `warroomctl list --json`
  Globals g;
  app.add_option("--target", g.target, "intake gRPC address")->envname("WARROOM_INTAKE_TARGET");
  app.add_option("--routing-target", g.routing_target, "routing gRPC address")
      ->envname("WARROOM_ROUTING_TARGET");
  app.add_option("--escalation-target", g.escalation_target, "escalation gRPC address")
      ->envname("WARROOM_ESCALATION_TARGET");
  app.add_option("--reporting-target", g.reporting_target, "reporting gRPC address")
      ->envname("WARROOM_REPORTING_TARGET");
  app.add_option("--household-target", g.household_target, "household gRPC address")
      ->envname("WARROOM_HOUSEHOLD_TARGET");
  app.add_option("--psp-target", g.psp_target, "psp gRPC address")->envname("WARROOM_PSP_TARGET");
  app.add_option("--token", g.token, "bearer token identifying you when the services check callers")
      ->envname("WARROOM_TOKEN");
  app.add_option("--tls-cert", g.tls.cert_file, "client certificate (PEM) for services on mutual TLS")
      ->envname("WARROOM_TLS_CERT_FILE");
  app.add_option("--tls-key", g.tls.key_file, "its private key (PEM)")->envname("WARROOM_TLS_KEY_FILE");
  app.add_option("--tls-ca", g.tls.ca_file, "the CA that signed the services' certificates (PEM)")
      ->envname("WARROOM_TLS_CA_FILE");
  app.add_flag("--json", g.json, "JSON output for scripts");

  ReportArgs ra;
  auto* report = app.add_subcommand("report", "Report a case");
  report->add_option("--request-id", ra.request_id, "Client request id (default: a new one)");
  report->add_option("--channel", ra.channel, "hotline, walk_in, household_visit, ...");
  report->add_option("--category", ra.category, "water, sanitation, electricity, ...");
  report->add_option("--ward", ra.ward);
  report->add_option("--municipality", ra.municipality);
  report->add_option("--lat", ra.lat);
  report->add_option("--lon", ra.lon);
  report->add_option("--address", ra.address);
  report->add_option("--description", ra.description);
  report->add_option("--critical", ra.critical, "protest_or_unrest or danger_to_life_or_health");
  report->add_option("--name", ra.name);
  report->add_option("--phone", ra.phone);
  report->add_option("--email", ra.email);
  report->add_option("--id-number", ra.id_number);
  report->add_flag("--anonymous", ra.anonymous);

  // Reports from reporting's read models live under `report` too.
  std::string report_ward, report_month, report_format = "markdown", report_out, report_level = "province",
                                       report_code, report_department, report_war_room;
  auto* report_ward_cmd = report->add_subcommand("ward", "The monthly ward report for the war-room meeting");
  report_ward_cmd->add_option("ward", report_ward)->required();
  report_ward_cmd->add_option("--month", report_month, "YYYY-MM (default: this month)");
  report_ward_cmd->add_option("--format", report_format, "markdown, csv or json");
  report_ward_cmd->add_option("--out", report_out, "Write to this file instead of stdout");
  auto* report_area = report->add_subcommand("area", "Open, overdue and resolved cases of an area");
  report_area->add_option("--level", report_level, "ward, municipality, region, district, province");
  report_area->add_option("--code", report_code, "ward code, JHB, JHB/Region A, DC42");
  auto* report_sla = report->add_subcommand("sla", "SLA compliance by tier and department");
  report_sla->add_option("--level", report_level);
  report_sla->add_option("--code", report_code);
  report_sla->add_option("--month", report_month);
  report_sla->add_option("--department", report_department);
  auto* report_overdue = report->add_subcommand("overdue", "Overdue cases of a war room, ward or municipality");
  report_overdue->add_option("--war-room", report_war_room);
  report_overdue->add_option("--ward", report_ward);
  report_overdue->add_option("--municipality", report_code);
  auto* report_rebuild = report->add_subcommand("rebuild", "Rebuild the read models from offset zero and compare");

  std::string number;
  auto* get = app.add_subcommand("get", "Show one case");
  get->add_option("case", number)->required();

  ListArgs la;
  auto* list = app.add_subcommand("list", "List cases, newest first");
  list->add_option("--ward", la.ward);
  list->add_option("--municipality", la.municipality);
  list->add_option("--status", la.status);
  list->add_option("--category", la.category);
  list->add_option("--channel", la.channel);
  list->add_option("--tier", la.tier);
  list->add_flag("--overdue", la.overdue);
  list->add_flag("--all", la.all, "Follow every page");
  list->add_option("--page-size", la.page_size);

  TransitionArgs ta;
  auto* transition = app.add_subcommand("transition", "Move a case along its lifecycle");
  transition->add_option("case", ta.number)->required();
  transition->add_option("action", ta.action,
                         "acknowledge, start, await, answered, resolve, close, reopen, reject, "
                         "recategorise, locate")->required();
  transition->add_option("--text", ta.text, "Question, resolution note or reopen reason");
  transition->add_option("--sphere", ta.sphere);
  transition->add_option("--body", ta.body);
  transition->add_option("--category", ta.category);
  transition->add_option("--ward", ta.ward);
  transition->add_option("--version", ta.version, "Expected version (default: the current one)");
  transition->add_option("--role", ta.role);

  std::string text;
  bool is_public = false;
  auto* note = app.add_subcommand("note", "Add a note to a case");
  note->add_option("case", number)->required();
  note->add_option("text", text)->required();
  note->add_flag("--public", is_public, "The resident may see it");

  std::string ward, municipality;
  int count = 0;
  auto* watch = app.add_subcommand("watch", "Follow case changes in a ward or municipality");
  watch->add_option("--ward", ward);
  watch->add_option("--municipality", municipality);
  watch->add_option("--count", count, "Stop after this many changes");
  std::string resume_token;
  watch->add_option("--resume", resume_token,
                    "Go on after this change (a resume_token from --json output or the first line)");

  std::string path, format;
  auto* import = app.add_subcommand("import", "Import a metro feed file (CSV or JSON Lines)");
  import->add_option("file", path)->required();
  import->add_option("--format", format, "csv or jsonl (default: from the file name)");

  int demo_cases = 3000;
  uint64_t seed = 2026;
  std::string data_dir = std::string(WARROOM_SOURCE_DIR) + "/data/geography";
  auto* demo = app.add_subcommand("demo", "Load realistic demo cases");
  demo->add_option("--cases", demo_cases);
  demo->add_option("--seed", seed);
  demo->add_option("--data-dir", data_dir);

  auto* route = app.add_subcommand("route", "Who is responsible: explain, reassign, reload");
  route->require_subcommand(1);
  std::string route_category, department, reason;
  int64_t route_version = 0;
  auto* explain = route->add_subcommand("explain", "Which rule routes a category in a place, and why");
  explain->add_option("--category", route_category)->required();
  explain->add_option("--ward", ward);
  explain->add_option("--municipality", municipality);
  auto* reassign = route->add_subcommand("reassign", "Give a case to another department");
  reassign->add_option("case", number)->required();
  reassign->add_option("--department", department)->required();
  reassign->add_option("--reason", reason)->required();
  reassign->add_option("--version", route_version, "Expected assignment version (default: current)");
  auto* reload = route->add_subcommand("reload", "Reload the routing rules file");

  auto* warroom = app.add_subcommand("warroom", "War rooms and their roles");
  warroom->require_subcommand(1);
  std::string warroom_id, region;
  auto* show = warroom->add_subcommand("show", "One war room (WR-<ward> or a ward code)");
  show->add_option("id", warroom_id)->required();
  auto* rooms = warroom->add_subcommand("list", "The war rooms of a municipality or region");
  rooms->add_option("--municipality", municipality)->required();
  rooms->add_option("--region", region);

  auto* sla = app.add_subcommand("sla", "SLA clocks");
  sla->require_subcommand(1);
  auto* sla_show = sla->add_subcommand("show", "A case's SLA clock and tier history");
  sla_show->add_option("case", number)->required();
  std::string overdue_tier;
  auto* overdue = app.add_subcommand("overdue", "Cases past the province tier, still open");
  overdue->add_option("--tier", overdue_tier);
  overdue->add_option("--municipality", municipality);
  overdue->add_option("--ward", ward);

  bool all_alerts = false;
  std::string acknowledge;
  auto* alerts = app.add_subcommand("alerts", "Hotspot alerts (open ones unless --all)");
  alerts->add_option("--ward", ward);
  alerts->add_option("--municipality", municipality);
  alerts->add_flag("--all", all_alerts, "Include acknowledged alerts");
  alerts->add_option("--acknowledge", acknowledge, "Acknowledge this alert id");

  auto* household = app.add_subcommand("household", "Household profiles, visits and backlogs");
  household->require_subcommand(1);
  int per_ward = 20;
  std::string household_id, purpose, hh_ward, hh_municipality, hh_month;
  auto* hh_demo = household->add_subcommand("demo", "Register and visit synthetic households");
  hh_demo->add_option("--per-ward", per_ward);
  hh_demo->add_option("--seed", seed);
  hh_demo->add_option("--data-dir", data_dir);
  auto* hh_show = household->add_subcommand("show", "One household with its latest assessment");
  hh_show->add_option("id", household_id)->required();
  hh_show->add_option("--purpose", purpose, "Why personal fields are read (audited); as a CDW");
  auto* hh_backlog = household->add_subcommand("backlog", "Households below the norms, per service");
  hh_backlog->add_option("--ward", hh_ward);
  hh_backlog->add_option("--municipality", hh_municipality);
  auto* hh_due = household->add_subcommand("due", "Households due a visit this month");
  hh_due->add_option("ward", hh_ward)->required();
  hh_due->add_option("--month", hh_month);

  auto* psp = app.add_subcommand("psp", "MISA: priority districts, backlogs, support requests");
  psp->require_subcommand(1);
  std::string psp_district, psp_request;
  bool psp_suggested = false;
  auto* psp_districts = psp->add_subcommand("districts", "The priority districts");
  auto* psp_backlog = psp->add_subcommand("backlog", "A district's backlog against the norms");
  psp_backlog->add_option("district", psp_district)->required();
  auto* psp_requests = psp->add_subcommand("requests", "Support requests, newest first");
  psp_requests->add_flag("--suggested", psp_suggested, "Only those the early warning suggested");
  psp_requests->add_option("--municipality", municipality);
  auto* psp_shortlist = psp->add_subcommand("shortlist", "The ranked, explained shortlist for a request");
  psp_shortlist->add_option("request", psp_request)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" that exits 0; every real one is a usage error: exit code 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (psp_districts->parsed()) return PspDistricts(g);
  if (psp_backlog->parsed()) return PspBacklog(g, psp_district);
  if (psp_requests->parsed()) return PspRequests(g, psp_suggested, municipality);
  if (psp_shortlist->parsed()) return PspShortlist(g, psp_request);
  if (hh_demo->parsed()) return HouseholdDemo(g, per_ward, data_dir, seed);
  if (hh_show->parsed()) return HouseholdShow(g, household_id, purpose);
  if (hh_backlog->parsed()) return HouseholdBacklog(g, hh_ward, hh_municipality);
  if (hh_due->parsed()) return HouseholdDue(g, hh_ward, hh_month);
  if (alerts->parsed()) return Alerts(g, ward, municipality, all_alerts, acknowledge);
  if (sla_show->parsed()) return SlaShow(g, number);
  if (overdue->parsed()) return Overdue(g, overdue_tier, municipality, ward);
  if (explain->parsed()) return RouteExplain(g, route_category, ward, municipality);
  if (reassign->parsed()) return RouteReassign(g, number, department, reason, route_version);
  if (reload->parsed()) return RouteReload(g);
  if (show->parsed()) return WarRoomShow(g, warroom_id);
  if (rooms->parsed()) return WarRoomList(g, municipality, region);
  if (report_ward_cmd->parsed()) return ReportWard(g, report_ward, report_month, report_format, report_out);
  if (report_area->parsed()) return ReportArea(g, report_level, report_code);
  if (report_sla->parsed()) return ReportSla(g, report_level, report_code, report_month, report_department);
  if (report_overdue->parsed()) return ReportOverdue(g, report_war_room, report_ward, report_code);
  if (report_rebuild->parsed()) return ReportRebuild(g);
  if (report->parsed()) return Report(g, ra);
  if (get->parsed()) return Get(g, number);
  if (list->parsed()) return List(g, la);
  if (transition->parsed()) return Transition(g, ta);
  if (note->parsed()) return Note(g, number, text, is_public);
  if (watch->parsed()) return Watch(g, ward, municipality, count, resume_token);
  if (import->parsed()) return Import(g, path, format);
  return Demo(g, demo_cases, data_dir, seed);
}

}  // namespace
}  // namespace warroom::ctl

int main(int argc, char** argv) { return warroom::ctl::Run(argc, argv); }
