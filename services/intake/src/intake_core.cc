#include "services/intake/src/intake_core.h"

#include <google/protobuf/util/time_util.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>
#include <unordered_map>

#include "warroom/common/case_number.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::intake {

using google::protobuf::util::TimeUtil;

namespace {

constexpr int kMaxPageSize = 500;
constexpr int kDefaultPageSize = 50;
// A page scans at most this many index entries, so that a rare filter cannot make one call
// read the whole province; the token continues where it stopped.
constexpr int kMaxScanPerPage = 5000;

double DistanceMetres(const v1::GeoPoint& a, const v1::GeoPoint& b) {
  constexpr double kEarthRadius = 6371000.0;
  constexpr double kRad = M_PI / 180.0;
  double dlat = (b.latitude() - a.latitude()) * kRad;
  double dlon = (b.longitude() - a.longitude()) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(a.latitude() * kRad) * std::cos(b.latitude() * kRad) * std::sin(dlon / 2) *
                 std::sin(dlon / 2);
  return 2 * kEarthRadius * std::asin(std::sqrt(h));
}

// What a metro record says about a case; a re-sent record with the same hash changes nothing.
std::string SourceHash(const v1::ImportCaseRecord& r) {
  v1::ImportCaseRecord copy = r;
  copy.clear_row();
  std::string bytes;
  copy.SerializeToString(&bytes);
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return std::to_string(h);
}

v1::FieldError ToFieldError(const FieldViolation& v) {
  v1::FieldError e;
  e.set_field(v.field);
  e.set_description(v.description);
  return e;
}

}  // namespace

IntakeCore::IntakeCore(CaseStore& store, OutboxStore& outbox, const Geography& geo,
                       const Clock& clock, IdGenerator& ids, IntakeOptions options,
                       prometheus::Registry* registry)
    : store_(store),
      outbox_(outbox),
      geo_(geo),
      clock_(clock),
      events_("intake", clock, ids),
      ids_(ids),
      options_(std::move(options)) {
  if (registry != nullptr) {
    reported_ = &prometheus::BuildCounter()
                     .Name(MetricName("intake", "cases_reported_total"))
                     .Help("Cases reported, by channel and category")
                     .Register(*registry);
    transitions_ = &prometheus::BuildCounter()
                        .Name(MetricName("intake", "case_transitions_total"))
                        .Help("Lifecycle changes, by the status they lead to")
                        .Register(*registry);
    imported_ = &prometheus::BuildCounter()
                     .Name(MetricName("intake", "import_records_total"))
                     .Help("Metro feed records, by outcome")
                     .Register(*registry);
  }
  reports_ = std::make_unique<Batcher<NewCase, StatusOr<Created>>>([this](std::vector<NewCase> specs) {
    auto created = CreateMany(std::move(specs));
    LoadEarlier(created);
    return created;
  }, "report");
}

void IntakeCore::LoadEarlier(std::vector<StatusOr<Created>>& created) {
  // A retry gets the whole case its first call made: all of a batch's read in one round trip
  // (retries come together when clients time out together).
  std::vector<std::string> cns;
  for (const auto& c : created) {
    if (c.ok() && c->earlier) cns.push_back(c->c.case_number());
  }
  if (cns.empty()) return;
  auto loaded = store_.LoadMany(cns);
  std::unordered_map<std::string, v1::Case*> by_number;
  if (loaded.ok()) {
    for (auto& lc : *loaded) by_number.emplace(lc.c.case_number(), &lc.c);
  }
  for (auto& c : created) {
    if (!c.ok() || !c->earlier) continue;
    if (!loaded.ok()) {
      c = loaded.status();
    } else if (auto it = by_number.find(c->c.case_number()); it == by_number.end()) {
      c = NotFoundError("no case " + c->c.case_number());
    } else {
      c->c = std::move(*it->second);
    }
  }
}

int IntakeCore::YearOf(TimePoint t) const {
  std::time_t local = std::chrono::system_clock::to_time_t(t + options_.utc_offset);
  std::tm tm{};
  gmtime_r(&local, &tm);
  return (tm.tm_year + 1900) % 100;
}

void IntakeCore::Emit(Mutation& m, const v1::Case& c, v1::EventEnvelope payload,
                      const std::string& correlation) {
  v1::EventEnvelope e = events_.New(c.case_number(), c.version(), correlation);
  e.MergeFrom(payload);
  m.Emit(ToOutboxEvent(topics::kCases, e));
}

std::vector<RedisArgs> IntakeCore::DuplicateQueries(const v1::Case& c) const {
  TimePoint reported = FromTimestamp(c.reported_at());
  int64_t since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         (reported - options_.duplicate_window).time_since_epoch())
                         .count();
  std::vector<RedisArgs> queries;
  if (c.place().has_position()) {
    queries.push_back({"GEOSEARCH", keys::OpenByPosition(c.category()), "FROMLONLAT",
                       std::to_string(c.place().position().longitude()),
                       std::to_string(c.place().position().latitude()), "BYRADIUS",
                       std::to_string(options_.duplicate_radius_m), "m", "ASC", "COUNT", "5"});
  }
  if (!c.place().ward_code().empty()) {
    // The oldest open cases of this kind in the ward within the window come first.
    queries.push_back({"ZRANGEBYSCORE", keys::OpenByWard(c.place().ward_code(), c.category()),
                       std::to_string(since_ms), "+inf", "LIMIT", "0",
                       c.place().has_position() ? "5" : "1"});
  }
  return queries;
}

std::string IntakeCore::PickDuplicate(const v1::Case& c, const std::vector<const v1::Case*>& candidates) const {
  TimePoint reported = FromTimestamp(c.reported_at());
  const v1::Case* best = nullptr;
  for (const v1::Case* other : candidates) {
    if (!IsOpen(other->status()) || other->category() != c.category()) continue;
    if (FromTimestamp(other->reported_at()) < reported - options_.duplicate_window) continue;
    if (!Near(c, *other)) continue;
    // Link to the earliest: the case everyone already works on.
    if (best == nullptr || TimeUtil::TimestampToNanoseconds(other->reported_at()) <
                               TimeUtil::TimestampToNanoseconds(best->reported_at())) {
      best = other;
    }
  }
  return best ? best->case_number() : std::string();
}

bool IntakeCore::Near(const v1::Case& a, const v1::Case& b) const {
  if (a.place().has_position() && b.place().has_position()) {
    return DistanceMetres(a.place().position(), b.place().position()) <= options_.duplicate_radius_m;
  }
  return !a.place().ward_code().empty() && a.place().ward_code() == b.place().ward_code();
}

std::vector<StatusOr<IntakeCore::Created>> IntakeCore::CreateMany(std::vector<NewCase> specs) {
  std::vector<StatusOr<Created>> out;
  out.reserve(specs.size());
  TimePoint now = clock_.Now();
  for (auto& spec : specs) {
    if (!spec.c.has_reported_at()) *spec.c.mutable_reported_at() = ToTimestamp(now);
  }
  // Cases made together are looked up together, so a segment holds only cases that cannot meet:
  // none could be the possible duplicate of another, nor share its idempotency key. A case that
  // could starts the next segment, which sees the earlier ones committed.
  constexpr size_t kMaxSegment = 256;
  size_t begin = 0;
  while (begin < specs.size()) {
    size_t end = begin + 1;
    for (; end < specs.size() && end - begin < kMaxSegment; ++end) {
      const NewCase& next = specs[end];
      bool meets = std::any_of(specs.begin() + begin, specs.begin() + end, [&](const NewCase& earlier) {
        return earlier.idempotency_key == next.idempotency_key ||
               (earlier.c.category() == next.c.category() && Near(earlier.c, next.c));
      });
      if (meets) break;
    }
    CreateSegment(std::span(specs).subspan(begin, end - begin), now, out);
    begin = end;
  }
  return out;
}

void IntakeCore::CreateSegment(std::span<NewCase> specs, TimePoint now,
                               std::vector<StatusOr<Created>>& out) {
  const size_t first = out.size();
  // The key a spec's earlier creation left: a request id's case number, or a source record's
  // case number and hash.
  auto lookup = [](const NewCase& spec) -> RedisArgs {
    if (spec.source_hash.empty()) return {"GET", spec.idempotency_key};
    return {"HMGET", spec.idempotency_key, "cn", "h"};
  };
  auto earlier_of = [](const NewCase& spec, const RedisReply& r) -> std::optional<Created> {
    const RedisReply& cn = spec.source_hash.empty() ? r : r.elements[0];
    if (cn.is_nil()) return std::nullopt;
    Created earlier;
    earlier.earlier = true;
    earlier.c.set_case_number(cn.str);
    if (!spec.source_hash.empty()) earlier.source_hash = r.elements[1].str;
    return earlier;
  };

  // Round trip 1: was each seen before, and its possible duplicates' numbers.
  std::vector<RedisArgs> commands;
  std::vector<std::pair<size_t, size_t>> duplicate_range(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    commands.push_back(lookup(specs[i]));
    auto queries = DuplicateQueries(specs[i].c);
    duplicate_range[i] = {commands.size(), commands.size() + queries.size()};
    commands.insert(commands.end(), queries.begin(), queries.end());
  }
  auto seen = store_.redis().Pipeline(commands);
  std::vector<size_t> fresh;  // specs to create, in order
  std::vector<std::string> candidates;
  std::unordered_map<int, int64_t> per_year;  // how many numbers each year's sequence gives
  std::vector<int> year_of(specs.size());      // each fresh spec's case-number year
  for (size_t i = 0; i < specs.size(); ++i) {
    out.emplace_back(InternalError("case not created"));  // every path below replaces it
    if (!seen.ok()) {
      out.back() = seen.status();
      continue;
    }
    const RedisReply& key = (*seen)[duplicate_range[i].first - 1];
    auto bad = std::find_if(seen->begin() + duplicate_range[i].first - 1,
                            seen->begin() + duplicate_range[i].second,
                            [](const RedisReply& r) { return r.is_error(); });
    if (bad != seen->begin() + duplicate_range[i].second) {
      out.back() = InternalError("redis: " + bad->str);
      continue;
    }
    // A retry of a request that already made a case gets that case.
    if (auto earlier = earlier_of(specs[i], key)) {
      out.back() = std::move(*earlier);
      continue;
    }
    fresh.push_back(i);
    year_of[i] = YearOf(FromTimestamp(specs[i].c.reported_at()));
    ++per_year[year_of[i]];
    // Without a position the ward's index answers alone: it holds only open cases of this
    // category in this ward, oldest first, from the window's start; with one, the candidates'
    // positions and report times decide.
    if (!specs[i].c.place().has_position()) continue;
    for (size_t r = duplicate_range[i].first; r < duplicate_range[i].second; ++r) {
      for (const auto& e : (*seen)[r].elements) candidates.push_back(e.str);
    }
  }
  if (fresh.empty()) return;

  // Round trip 2: the numbers (one INCRBY per year, so that a re-sent record never uses one up)
  // and the candidates' records.
  std::vector<RedisArgs> second;
  std::vector<int> years;
  for (const auto& [year, count] : per_year) {
    years.push_back(year);
    second.push_back({"INCRBY", keys::Sequence(options_.case_prefix, year), std::to_string(count)});
  }
  for (const auto& cn : candidates) second.push_back({"HGET", keys::Case(cn), "pb"});
  auto numbered = store_.redis().Pipeline(second);
  auto fail_fresh = [&](const Status& s) {
    for (size_t i : fresh) out[first + i] = s;
  };
  if (!numbered.ok()) return fail_fresh(numbered.status());
  std::unordered_map<int, int64_t> next_seq;
  for (size_t y = 0; y < years.size(); ++y) {
    const RedisReply& r = (*numbered)[y];
    if (r.is_error()) return fail_fresh(InternalError("redis: " + r.str));
    next_seq[years[y]] = r.integer - per_year[years[y]] + 1;
  }
  std::unordered_map<std::string, v1::Case> loaded;
  for (size_t k = 0; k < candidates.size(); ++k) {
    const RedisReply& r = (*numbered)[years.size() + k];
    v1::Case other;
    if (!r.is_nil() && !r.is_error() && other.ParseFromString(r.str)) loaded.emplace(candidates[k], std::move(other));
  }

  // Round trip 3: every new case with its indexes and events, each in its own atomic commit.
  // Each script call's worth goes to Redis as soon as it is made, while the next is made.
  auto commits = outbox_.StartCommits();
  std::vector<size_t> committing;
  for (size_t i : fresh) {
    NewCase& spec = specs[i];
    v1::Case& c = spec.c;
    int year = year_of[i];
    int64_t seq = next_seq[year]++;
    if (seq > kMaxCaseSequence) {
      out[first + i] = Status(StatusCode::kResourceExhausted, "case numbers for this year are used up");
      continue;
    }
    CaseNumber number = MakeCaseNumber(options_.case_prefix, year, seq);
    c.set_case_number(number.ToString());
    c.set_status(v1::CASE_STATUS_REPORTED);
    c.set_version(1);
    *c.mutable_updated_at() = ToTimestamp(now);
    if (spec.has_contact) c.set_reporter_ref("R-" + ids_.NewUuidV7());
    if (c.place().has_position()) {
      std::vector<const v1::Case*> nearby;
      for (size_t r = duplicate_range[i].first; r < duplicate_range[i].second; ++r) {
        for (const auto& e : (*seen)[r].elements) {
          if (auto it = loaded.find(e.str); it != loaded.end()) nearby.push_back(&it->second);
        }
      }
      c.set_duplicate_of(PickDuplicate(c, nearby));
    } else if (duplicate_range[i].second > duplicate_range[i].first) {
      const RedisReply& oldest = (*seen)[duplicate_range[i].first];
      if (!oldest.elements.empty()) c.set_duplicate_of(oldest.elements.front().str);
    }
    commits.Add(NewCaseMutation(spec, number));
    committing.push_back(i);
  }
  auto committed = commits.Finish();
  for (size_t k = 0; k < committing.size(); ++k) {
    size_t i = committing[k];
    v1::Case& c = specs[i].c;
    if (!committed[k].ok()) {
      out[first + i] = committed[k].status();
      continue;
    }
    if (!committed[k]->applied()) {
      // Another call with the same key won the race; this number stays unused.
      auto again = store_.redis().Pipeline({lookup(specs[i])});
      if (!again.ok()) {
        out[first + i] = again.status();
      } else if (auto earlier = earlier_of(specs[i], again->front())) {
        out[first + i] = std::move(*earlier);
      } else {
        out[first + i] = AbortedError("concurrent report; retry");
      }
      continue;
    }
    if (reported_) {
      reported_->Add({{"channel", Label(c.channel())}, {"category", Label(c.category())}}).Increment();
    }
    log::Info("case_reported")
        .Kv("case", c.case_number())
        .Kv("channel", Label(c.channel()))
        .Kv("category", Label(c.category()))
        .Kv("ward", c.place().ward_code())
        .Kv("duplicate_of", c.duplicate_of());
    Created created;
    created.c = std::move(c);
    out[first + i] = std::move(created);
  }
}

Mutation IntakeCore::NewCaseMutation(const NewCase& spec, const CaseNumber& number) {
  const v1::Case& c = spec.c;
  Mutation m(c.case_number());
  if (spec.source_hash.empty()) {
    m.CreateOnce(spec.idempotency_key, c.case_number(), options_.request_ttl);
  } else {
    m.RequireAbsent(spec.idempotency_key);
    m.Do("HSET", spec.idempotency_key, {"cn", c.case_number(), "h", spec.source_hash});
  }
  CaseStore::WriteCase(c, m, "case_reported");
  CaseStore::IndexChanges(nullptr, c, number.Ordinal(), m);
  if (spec.has_contact) {
    // The contact is personal information: one sealed record, readable only with the keys.
    static const PiiCipher kPlain;
    const PiiCipher& cipher = options_.pii != nullptr ? *options_.pii : kPlain;
    m.Do("HSET", keys::Reporter(c.reporter_ref()),
         {"contact", cipher.Seal(spec.contact.SerializeAsString()), "case", c.case_number()});
  }
  v1::EventEnvelope reported;
  auto* r = reported.mutable_case_reported();
  r->set_case_number(c.case_number());
  r->set_channel(c.channel());
  r->set_category(c.category());
  r->set_ward_code(c.place().ward_code());
  r->set_municipality_code(c.place().municipality_code());
  r->set_critical_reason(c.critical_reason());
  r->set_anonymous(c.anonymous());
  r->set_reporter_ref(c.reporter_ref());
  *r->mutable_reported_at() = c.reported_at();
  r->set_source_system(c.source_system());
  r->set_has_position(c.place().has_position());
  Emit(m, c, std::move(reported), spec.idempotency_key);
  if (!c.duplicate_of().empty()) {
    m.Do("ZADD", keys::Duplicates(c.duplicate_of()), {std::to_string(number.Ordinal()), c.case_number()});
    v1::EventEnvelope linked;
    linked.mutable_case_duplicate_linked()->set_case_number(c.case_number());
    linked.mutable_case_duplicate_linked()->set_duplicate_of(c.duplicate_of());
    Emit(m, c, std::move(linked), spec.idempotency_key);
  }
  return m;
}

StatusOr<v1::ReportCaseResponse> IntakeCore::Report(v1::ReportCaseRequest request) {
  return AwaitAnswer<StatusOr<v1::ReportCaseResponse>>(
      [&](ReportDone done) { ReportAsync(std::move(request), std::move(done)); });
}

void IntakeCore::ReportAsync(v1::ReportCaseRequest request, ReportDone done) {
  if (Status valid = ValidateReport(request, geo_, options_.limits); !valid.ok()) return done(valid);
  NewCase spec;
  spec.idempotency_key = keys::Request(request.client_request_id());
  v1::Case& c = spec.c;
  c.set_channel(request.channel());
  c.set_category(request.category());
  *c.mutable_place() = request.place();
  c.set_description(request.description());
  c.set_critical_reason(request.critical_reason());
  const auto& p = request.reporter();
  spec.has_contact = !request.anonymous() && request.has_reporter() &&
                     (!p.name().empty() || !p.phone().empty() || !p.email().empty() ||
                      !p.id_number().empty());
  c.set_anonymous(!spec.has_contact);
  if (spec.has_contact) spec.contact = p;
  reports_->Submit(std::move(spec), [done = std::move(done)](StatusOr<Created> created) {
    if (!created.ok()) return done(created.status());
    v1::ReportCaseResponse response;
    response.set_case_number(created->c.case_number());
    response.set_replayed(created->earlier);
    *response.mutable_case_() = std::move(created->c);
    done(std::move(response));
  });
}

StatusOr<v1::Case> IntakeCore::Reload(const std::string& cn) {
  auto loaded = store_.Load(cn);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return NotFoundError("no case " + cn);
  return std::move((*loaded)->c);
}

StatusOr<v1::Case> IntakeCore::Get(std::string_view case_number) {
  auto parsed = ParseCaseNumber(case_number);
  if (!parsed.ok()) return parsed.status();  // mistyped numbers never reach the store
  auto c = Reload(std::string(case_number));
  if (!c.ok()) return c.status();
  if (c->has_due_at() && !c->overdue() && IsOpen(c->status()) &&
      FromTimestamp(c->due_at()) < clock_.Now()) {
    c->set_overdue(true);
  }
  return c;
}

StatusOr<v1::ListCasesResponse> IntakeCore::List(const v1::ListCasesRequest& req) {
  FieldErrors errors;
  if (!req.ward_code().empty() && geo_.FindWard(req.ward_code()) == nullptr) {
    errors.Add("ward_code", "'" + req.ward_code() + "' is not a ward of " + geo_.province());
  }
  if (!req.municipality_code().empty() && geo_.FindMunicipality(req.municipality_code()) == nullptr) {
    errors.Add("municipality_code", "'" + req.municipality_code() + "' is not a municipality");
  }
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize) {
    errors.Add("page_size", "must be 0 (default 50) to " + std::to_string(kMaxPageSize));
  }
  int64_t cursor = 0;
  if (!req.page_token().empty()) {
    try {
      cursor = std::stoll(req.page_token());
    } catch (const std::exception&) {
      errors.Add("page_token", "is not a token this service gave out");
    }
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the list request is invalid"));

  // Walk the most selective index; the other filters apply to the cases read. Without a ward, the
  // walk merges the place-and-status sets the filters allow (each case is in one of them): a
  // district's or the province's cases are those of the municipalities within it.
  std::vector<std::string> municipalities;
  std::vector<std::string> indexes;
  if (!req.municipality_code().empty()) municipalities = geo_.MunicipalitiesWithin(req.municipality_code());
  if (!req.ward_code().empty()) {
    indexes.push_back(keys::IndexWard(req.ward_code()));
  } else {
    std::vector<std::string> places = municipalities;
    if (req.municipality_code().empty()) {
      places = geo_.MunicipalitiesWithin();
      places.push_back("");  // cases not yet in a ward
    }
    auto statuses = req.status() != 0 ? std::vector<v1::CaseStatus>{req.status()} : keys::AllStatuses();
    for (const auto& place : places) {
      for (auto status : statuses) indexes.push_back(keys::IndexPlaceStatus(place, status));
    }
  }
  int page_size = req.page_size() == 0 ? kDefaultPageSize : req.page_size();
  const size_t batch_size = static_cast<size_t>(page_size) * 2;
  TimePoint now = clock_.Now();
  v1::ListCasesResponse out;
  std::string max = cursor > 0 ? "(" + std::to_string(cursor) : "+inf";
  int scanned = 0;
  while (out.cases_size() < page_size && scanned < kMaxScanPerPage) {
    std::vector<RedisArgs> reads;
    for (const auto& index : indexes) {
      reads.push_back({"ZREVRANGEBYSCORE", index, max, "-inf", "WITHSCORES", "LIMIT", "0",
                       std::to_string(batch_size)});
    }
    auto replies = store_.redis().Pipeline(reads);
    if (!replies.ok()) return replies.status();
    // (score, case number), newest first; a case is in one index of a walk, so none repeats.
    std::vector<std::pair<int64_t, std::string>> entries;
    for (const auto& r : *replies) {
      if (r.is_error()) return InternalError("redis: " + r.str);
      for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
        entries.emplace_back(std::stoll(r.elements[i + 1].str), r.elements[i].str);
      }
    }
    bool exhausted = entries.size() < batch_size;
    std::sort(entries.begin(), entries.end(), std::greater<>());
    if (entries.size() > batch_size) entries.resize(batch_size);
    if (entries.empty()) {
      max.clear();
      break;
    }
    std::vector<std::string> cns;
    std::vector<std::string> scores;
    for (auto& [score, cn] : entries) {
      cns.push_back(std::move(cn));
      scores.push_back(std::to_string(score));
    }
    auto loaded = store_.LoadMany(cns);
    if (!loaded.ok()) return loaded.status();
    size_t li = 0;
    for (size_t i = 0; i < cns.size(); ++i) {
      ++scanned;
      max = "(" + scores[i];
      if (li >= loaded->size() || (*loaded)[li].c.case_number() != cns[i]) continue;
      v1::Case& c = (*loaded)[li++].c;
      if (c.has_due_at() && IsOpen(c.status()) && FromTimestamp(c.due_at()) < now) c.set_overdue(true);
      if (!req.municipality_code().empty() &&
          std::find(municipalities.begin(), municipalities.end(), c.place().municipality_code()) ==
              municipalities.end()) {
        continue;
      }
      if (req.status() != 0 && c.status() != req.status()) continue;
      if (req.category() != 0 && c.category() != req.category()) continue;
      if (req.channel() != 0 && c.channel() != req.channel()) continue;
      if (req.tier() != 0 && c.tier() != req.tier()) continue;
      if (req.overdue_only() && !c.overdue()) continue;
      *out.add_cases() = std::move(c);
      if (out.cases_size() == page_size) break;
    }
    if (exhausted && out.cases_size() < page_size) {
      max.clear();  // the index is exhausted
      break;
    }
  }
  if (!max.empty()) out.set_next_page_token(max.substr(1));
  return out;
}

StatusOr<v1::Case> IntakeCore::CommitChange(const LoadedCase& before, v1::Case after,
                                            std::vector<v1::EventEnvelope> events,
                                            std::string_view change,
                                            const std::string& correlation,
                                            const std::function<void(Mutation&)>& also) {
  after.set_version(before.version + 1);
  auto number = ParseCaseNumber(after.case_number());
  Mutation m(after.case_number());
  m.RequireField(keys::Case(after.case_number()), "v", std::to_string(before.version));
  if (also) also(m);
  CaseStore::WriteCase(after, m, change);
  CaseStore::IndexChanges(&before.c, after, number.ok() ? number->Ordinal() : 0, m);
  for (auto& e : events) Emit(m, after, std::move(e), correlation);
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) {
    return AbortedError("case " + after.case_number() + " changed meanwhile: it is at version " +
                        committed->actual + ", not " + std::to_string(before.version) +
                        "; read it again");
  }
  return after;
}

StatusOr<v1::Case> IntakeCore::Transition(const v1::TransitionCaseRequest& req) {
  auto parsed = ParseCaseNumber(req.case_number());
  if (!parsed.ok()) return parsed.status();
  auto loaded = store_.Load(req.case_number());
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return NotFoundError("no case " + req.case_number());
  const LoadedCase& current = **loaded;
  if (req.expected_version() != current.version) {
    return AbortedError("case " + req.case_number() + " is at version " +
                        std::to_string(current.version) + ", not " +
                        std::to_string(req.expected_version()) + "; read it again");
  }
  auto result = ApplyTransition(current.c, req, clock_.Now(), geo_, options_.limits);
  if (!result.ok()) return result.status();
  std::string change = EventType(result->events.front());
  auto after = CommitChange(current, std::move(result->updated), std::move(result->events), change,
                            req.case_number());
  if (!after.ok()) return after.status();
  if (transitions_) transitions_->Add({{"status", Label(after->status())}}).Increment();
  log::Info("case_changed")
      .Kv("case", after->case_number())
      .Kv("change", change)
      .Kv("status", Label(after->status()))
      .Kv("version", after->version());
  return after;
}

StatusOr<v1::Case> IntakeCore::AddNote(const v1::AddNoteRequest& req) {
  auto parsed = ParseCaseNumber(req.case_number());
  if (!parsed.ok()) return parsed.status();
  FieldErrors errors;
  size_t chars = CountCharacters(req.text());
  if (req.text().find_first_not_of(" \t\r\n") == std::string::npos) errors.Add("text", "is required");
  if (chars > options_.limits.max_note_chars) {
    errors.Add("text", "is " + std::to_string(chars) + " characters; at most " +
                           std::to_string(options_.limits.max_note_chars));
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the note is invalid"));
  // A note does not race a person's lifecycle change: on a version conflict, read and add again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = store_.Load(req.case_number());
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return NotFoundError("no case " + req.case_number());
    v1::Case after = (*loaded)->c;
    auto* note = after.add_notes();
    note->set_note_id("N" + std::to_string(after.notes_size()));
    note->set_public_(req.public_());
    note->set_text(req.text());
    note->set_author_role(req.author_role());
    *note->mutable_added_at() = ToTimestamp(clock_.Now());
    *after.mutable_updated_at() = note->added_at();
    std::vector<v1::EventEnvelope> events;
    if (req.public_()) {
      v1::EventEnvelope e;
      e.mutable_case_note_added()->set_case_number(after.case_number());
      e.mutable_case_note_added()->set_note_id(note->note_id());
      e.mutable_case_note_added()->set_public_(true);
      events.push_back(std::move(e));
    }
    auto committed = CommitChange(**loaded, std::move(after), std::move(events), "case_note_added",
                                  req.case_number());
    if (committed.ok() || committed.status().code() != StatusCode::kAborted) return committed;
  }
  return AbortedError("case " + req.case_number() + " is changing too fast; retry");
}

v1::ImportCaseResult IntakeCore::Import(v1::ImportCaseRecord record, const Caller& caller) {
  std::vector<v1::ImportCaseRecord> one;
  one.push_back(std::move(record));
  return std::move(ImportMany(std::move(one), caller).front());
}

std::vector<v1::ImportCaseResult> IntakeCore::ImportMany(std::vector<v1::ImportCaseRecord> records,
                                                         const Caller& caller) {
  std::vector<v1::ImportCaseResult> results(records.size());
  auto finish = [&](size_t i, v1::ImportCaseResult::Outcome outcome) {
    results[i].set_outcome(outcome);
    if (imported_) {
      std::string label = EnumLabel(v1::ImportCaseResult::Outcome_descriptor(), outcome);
      imported_->Add({{"outcome", label}}).Increment();
    }
  };
  auto reject = [&](size_t i, const Status& s) {
    for (const auto& v : s.violations()) *results[i].add_violations() = ToFieldError(v);
    if (s.violations().empty()) *results[i].add_violations() = ToFieldError({"", s.ToString()});
    finish(i, v1::ImportCaseResult::OUTCOME_REJECTED);
  };
  std::vector<NewCase> specs;
  std::vector<size_t> spec_row;  // the record each spec came from
  TimePoint now = clock_.Now();
  for (size_t i = 0; i < records.size(); ++i) {
    v1::ImportCaseRecord& record = records[i];  // validation fills in derived place fields
    results[i].set_row(record.row());
    results[i].set_source_id(record.source_id());
    if (!caller.MayUseSource(record.source_system())) {
      reject(i, FieldError("source_system", "permission denied: this caller imports only its own system's cases"));
      continue;
    }
    Status valid = ValidateImportRecord(record, geo_, options_.limits, now);
    if (!valid.ok()) {
      reject(i, valid);
      continue;
    }
    NewCase& spec = specs.emplace_back();
    spec_row.push_back(i);
    spec.idempotency_key = keys::Source(record.source_system(), record.source_id());
    spec.source_hash = SourceHash(record);
    v1::Case& c = spec.c;
    c.set_channel(v1::CHANNEL_METRO_FEED);
    c.set_category(record.category());
    *c.mutable_place() = record.place();
    c.set_description(record.description());
    c.set_critical_reason(record.critical_reason());
    c.set_anonymous(true);
    c.set_source_system(record.source_system());
    c.set_source_id(record.source_id());
    if (record.has_reported_at()) *c.mutable_reported_at() = record.reported_at();
  }
  std::vector<std::string> hashes;
  for (const auto& spec : specs) hashes.push_back(spec.source_hash);
  auto created = CreateMany(std::move(specs));
  for (size_t k = 0; k < created.size(); ++k) {
    size_t i = spec_row[k];
    if (!created[k].ok()) {
      reject(i, created[k].status());
      continue;
    }
    const std::string& cn = created[k]->c.case_number();
    results[i].set_case_number(cn);
    if (!created[k]->earlier) {
      finish(i, v1::ImportCaseResult::OUTCOME_CREATED);
    } else if (created[k]->source_hash == hashes[k]) {
      finish(i, v1::ImportCaseResult::OUTCOME_UNCHANGED);  // a re-sent record: nothing new
    } else {
      results[i].MergeFrom(UpdateFromSource(records[i], cn, hashes[k]));
      finish(i, results[i].outcome());
    }
  }
  return results;
}

v1::ImportCaseResult IntakeCore::UpdateFromSource(const v1::ImportCaseRecord& record,
                                                  const std::string& cn, const std::string& hash) {
  v1::ImportCaseResult result;
  result.set_case_number(cn);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = store_.Load(cn);
    if (!loaded.ok() || !loaded->has_value()) break;
    const LoadedCase& before = **loaded;
    v1::Case after = before.c;
    std::vector<v1::EventEnvelope> events;
    if (after.category() != record.category() && IsOpen(after.status())) {
      v1::EventEnvelope e;
      e.mutable_case_recategorised()->set_case_number(cn);
      e.mutable_case_recategorised()->set_from(after.category());
      e.mutable_case_recategorised()->set_to(record.category());
      events.push_back(std::move(e));
      after.set_category(record.category());
    }
    if (after.place().ward_code().empty() && !record.place().ward_code().empty()) {
      v1::EventEnvelope e;
      e.mutable_case_located()->set_case_number(cn);
      e.mutable_case_located()->set_ward_code(record.place().ward_code());
      e.mutable_case_located()->set_municipality_code(record.place().municipality_code());
      events.push_back(std::move(e));
      *after.mutable_place() = record.place();
    } else if (after.place().ward_code() == record.place().ward_code()) {
      *after.mutable_place() = record.place();  // position and address may be refined
    }
    after.set_description(record.description());
    *after.mutable_updated_at() = ToTimestamp(clock_.Now());
    std::string source_key = keys::Source(record.source_system(), record.source_id());
    auto committed = CommitChange(before, std::move(after), std::move(events), "case_updated", cn,
                                  [&](Mutation& m) { m.Do("HSET", source_key, {"h", hash}); });
    if (committed.ok()) {
      result.set_outcome(v1::ImportCaseResult::OUTCOME_UPDATED);
      return result;
    }
    if (committed.status().code() != StatusCode::kAborted) break;  // a conflict is read again
  }
  result.set_outcome(v1::ImportCaseResult::OUTCOME_REJECTED);
  *result.add_violations() = ToFieldError({"", "could not update case " + cn + " now; send it again"});
  return result;
}

Status IntakeCore::ApplyEvent(const KafkaMessage& message) {
  auto envelope = DecodeEnvelope(message.value);
  if (!envelope.ok()) return envelope.status();
  const v1::EventEnvelope& e = *envelope;
  std::string cn;
  std::vector<std::string> fields;
  if (e.has_case_assigned()) {
    const auto& a = e.case_assigned();
    cn = a.case_number();
    fields = {"sphere", std::to_string(a.sphere()), "department", a.department(),
              "war_room", a.war_room(), "unlocated", a.unlocated() ? "1" : "0"};
  } else if (e.has_sla_changed()) {
    const auto& s = e.sla_changed();
    cn = s.case_number();
    fields = {"tier", std::to_string(s.tier()), "overdue", s.overdue() ? "1" : "0"};
    if (s.has_due_at()) {
      fields.push_back("due_ms");
      fields.push_back(std::to_string(TimeUtil::TimestampToMilliseconds(s.due_at())));
    }
  } else {
    return Status::Ok();  // other event types on these topics are not intake's concern
  }
  auto parsed = ParseCaseNumber(cn);
  if (!parsed.ok()) return parsed.status();
  auto loaded = store_.Load(cn);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return InvalidArgumentError("event for unknown case " + cn);
  const v1::Case& c = (*loaded)->c;
  Mutation m(cn);
  m.MarkProcessed("intake", e.event_id());
  m.Do("HSET", keys::View(cn), fields);
  CaseStore::AppendChange(c, m, EventType(e));
  auto committed = outbox_.Commit(m);
  return committed.ok() ? Status::Ok() : committed.status();
}

}  // namespace warroom::intake
