// IntakeCore against a real redis-server, with a fake clock. Kafka is not involved: the events
// are read from the outbox streams where the core leaves them.
#include "services/intake/src/intake_core.h"

#include <gtest/gtest.h>

#include "services/intake/test/test_geography.h"
#include "testing/fake_clock.h"
#include "testing/process.h"
#include "warroom/common/case_number.h"
#include "warroom/common/topics.h"

namespace warroom::intake {
namespace {

class IntakeCoreTest : public ::testing::Test {
 protected:
  IntakeCoreTest()
      : server_(dir_.path()),
        redis_(Config()),
        outbox_(redis_, "intake"),
        store_(redis_),
        pii_(*PiiCipher::FromKeyList("k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")),
        ids_(clock_, 7),
        core_(store_, outbox_, testing::ShippedGeography(), clock_, ids_, Options(), nullptr) {}
  IntakeOptions Options() {
    IntakeOptions o;
    o.pii = &pii_;
    return o;
  }

  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }

  v1::ReportCaseRequest Report(const std::string& id, v1::Category category = v1::CATEGORY_WATER) {
    v1::ReportCaseRequest r;
    r.set_client_request_id(id);
    r.set_channel(v1::CHANNEL_HOTLINE);
    r.set_category(category);
    r.mutable_place()->set_ward_code("79800001");
    r.set_description("Burst pipe on Main Road");
    return r;
  }

  v1::Case MustReport(v1::ReportCaseRequest r) {
    auto result = core_.Report(std::move(r));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->case_() : v1::Case();
  }

  // Every event value in the outbox, decoded.
  std::vector<v1::EventEnvelope> OutboxEvents() {
    std::vector<v1::EventEnvelope> out;
    for (int s = 0; s < outbox_.shards(); ++s) {
      auto entries = redis_.Command({"XRANGE", outbox_.StreamKey(s), "-", "+"});
      for (const auto& e : entries->elements) {
        const auto& f = e.elements[1].elements;
        for (size_t i = 0; i + 1 < f.size(); i += 2) {
          if (f[i].str == "v") out.push_back(*DecodeEnvelope(f[i + 1].str));
        }
      }
    }
    return out;
  }

  ::warroom::testing::TestDir dir_;
  ::warroom::testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore outbox_;
  CaseStore store_;
  PiiCipher pii_;
  ::warroom::testing::FakeClock clock_;
  IdGenerator ids_;
  IntakeCore core_;
};

TEST_F(IntakeCoreTest, ReportGivesAValidCaseNumberAndEmitsCaseReported) {
  v1::Case c = MustReport(Report("r1"));
  EXPECT_EQ(c.case_number(), "GP26-0000001-" + std::to_string(DammCheckDigit("260000001")));
  EXPECT_EQ(c.status(), v1::CASE_STATUS_REPORTED);
  EXPECT_EQ(c.version(), 1);
  EXPECT_EQ(c.place().municipality_code(), "JHB");
  auto events = OutboxEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].case_reported().case_number(), c.case_number());
  EXPECT_EQ(events[0].aggregate_id(), c.case_number());
  EXPECT_EQ(events[0].producer(), "intake");
}

TEST_F(IntakeCoreTest, ARetryWithTheSameRequestIdReturnsTheSameCase) {
  v1::Case first = MustReport(Report("same-id"));
  auto again = core_.Report(Report("same-id"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed());
  EXPECT_EQ(again->case_number(), first.case_number());
  EXPECT_EQ(redis_.Command({"ZCARD", keys::IndexPlaceStatus("JHB", v1::CASE_STATUS_REPORTED)})->integer, 1);
  EXPECT_EQ(OutboxEvents().size(), 1u);
  // The retry used no number up: the next new case has the next one.
  v1::Case next = MustReport(Report("another-id"));
  EXPECT_EQ(ParseCaseNumber(next.case_number())->sequence, ParseCaseNumber(first.case_number())->sequence + 1);
}

TEST_F(IntakeCoreTest, ReporterDetailsStayInIntakeAndNeverReachAnEvent) {
  auto r = Report("pii");
  r.mutable_reporter()->set_name("Thandiwe Mokoena");
  r.mutable_reporter()->set_phone("082 555 1234");
  r.mutable_reporter()->set_id_number("8001015009087");
  v1::Case c = MustReport(r);
  EXPECT_FALSE(c.anonymous());
  ASSERT_FALSE(c.reporter_ref().empty());
  auto stored = redis_.Command({"HGET", keys::Reporter(c.reporter_ref()), "contact"});
  EXPECT_EQ(stored->str.find("Mokoena"), std::string::npos) << "sealed at rest";
  EXPECT_EQ(stored->str.find("825551234"), std::string::npos) << "sealed at rest";
  v1::ReporterContact contact;
  ASSERT_TRUE(contact.ParseFromString(*pii_.Open(stored->str)));
  EXPECT_EQ(contact.phone(), "+27825551234");
  for (const auto& e : OutboxEvents()) {
    std::string bytes = e.SerializeAsString();
    EXPECT_EQ(bytes.find("Mokoena"), std::string::npos);
    EXPECT_EQ(bytes.find("825551234"), std::string::npos);
    EXPECT_EQ(bytes.find("8001015009087"), std::string::npos);
    EXPECT_EQ(bytes.find("Burst pipe"), std::string::npos) << "free text stays off events";
  }
  EXPECT_EQ(OutboxEvents()[0].case_reported().reporter_ref(), c.reporter_ref());
}

TEST_F(IntakeCoreTest, AMistypedNumberIsRejectedBeforeAnyLookUp) {
  MustReport(Report("exists"));  // GP26-0000001-x exists; a wrong last digit must not find it
  int wrong = (DammCheckDigit("260000001") + 1) % 10;
  auto got = core_.Get("GP26-0000001-" + std::to_string(wrong));
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(), "case number is mistyped");
}

TEST_F(IntakeCoreTest, AnUnknownButWellFormedNumberIsNotFound) {
  EXPECT_EQ(core_.Get(MakeCaseNumber("GP", 26, 42).ToString()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(IntakeCoreTest, TheWholeLifecycleBumpsVersionsAndEmitsEachChange) {
  v1::Case c = MustReport(Report("life"));
  auto step = [&](auto set_action) {
    v1::TransitionCaseRequest r;
    r.set_case_number(c.case_number());
    r.set_expected_version(c.version());
    set_action(r);
    auto next = core_.Transition(r);
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (next.ok()) c = *next;
  };
  step([](auto& r) { r.mutable_acknowledge(); });
  step([](auto& r) { r.mutable_start_work(); });
  step([](auto& r) { r.mutable_await_resident()->set_question("Which house?"); });
  step([](auto& r) { r.mutable_resident_answered(); });
  step([](auto& r) { r.mutable_resolve()->set_resolution_note("Pipe replaced"); });
  step([](auto& r) { r.mutable_close(); });
  step([](auto& r) { r.mutable_reopen()->set_reason("Leaking again"); });
  EXPECT_EQ(c.status(), v1::CASE_STATUS_REOPENED);
  EXPECT_EQ(c.version(), 8);
  EXPECT_EQ(OutboxEvents().size(), 8u);
  auto stored = core_.Get(c.case_number());
  EXPECT_EQ(stored->version(), 8);
  EXPECT_EQ(redis_.Command({"ZSCORE", keys::IndexPlaceStatus("JHB", v1::CASE_STATUS_REOPENED), c.case_number()})->is_nil(), false);
  EXPECT_TRUE(redis_.Command({"ZSCORE", keys::IndexPlaceStatus("JHB", v1::CASE_STATUS_REPORTED), c.case_number()})->is_nil());
}

TEST_F(IntakeCoreTest, AStaleVersionIsAborted) {
  v1::Case c = MustReport(Report("stale"));
  v1::TransitionCaseRequest r;
  r.set_case_number(c.case_number());
  r.set_expected_version(7);
  r.mutable_acknowledge();
  auto result = core_.Transition(r);
  EXPECT_EQ(result.status().code(), StatusCode::kAborted);
  EXPECT_NE(result.status().message().find("version 1, not 7"), std::string::npos);
}

TEST_F(IntakeCoreTest, ASecondReportNearbyIsLinkedAsAPossibleDuplicate) {
  auto near = [&](const std::string& id, double lat, v1::Category cat) {
    auto r = Report(id, cat);
    r.mutable_place()->mutable_position()->set_latitude(lat);
    r.mutable_place()->mutable_position()->set_longitude(28.0473);
    return MustReport(r);
  };
  v1::Case first = near("d1", -26.2041, v1::CATEGORY_WATER);
  v1::Case close = near("d2", -26.2042, v1::CATEGORY_WATER);       // about 11 m away
  v1::Case far = near("d3", -26.2100, v1::CATEGORY_WATER);         // about 650 m away
  v1::Case other = near("d4", -26.2041, v1::CATEGORY_ELECTRICITY);  // same spot, other kind
  EXPECT_EQ(close.duplicate_of(), first.case_number());
  EXPECT_EQ(far.duplicate_of(), "");
  EXPECT_EQ(other.duplicate_of(), "");
  auto original = core_.Get(first.case_number());
  ASSERT_EQ(original->possible_duplicates_size(), 1);
  EXPECT_EQ(original->possible_duplicates(0), close.case_number());
}

TEST_F(IntakeCoreTest, WithoutPositionsTheSameWardWithinFourteenDaysIsADuplicate) {
  v1::Case first = MustReport(Report("w1"));
  clock_.Advance(std::chrono::hours(24 * 13));
  EXPECT_EQ(MustReport(Report("w2")).duplicate_of(), first.case_number());
  clock_.Advance(std::chrono::hours(24 * 2));
  // Both earlier cases are now older than 14 days, apart from w2 (2 days).
  v1::Case third = MustReport(Report("w3"));
  EXPECT_NE(third.duplicate_of(), first.case_number());
}

TEST_F(IntakeCoreTest, ListIsNewestFirstAndPagesCoverEverything) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 7; ++i) {
    auto r = Report("l" + std::to_string(i), i % 2 ? v1::CATEGORY_WATER : v1::CATEGORY_HOUSING);
    v1::Case c = MustReport(r);
    numbers.push_back(c.case_number());
    if (i % 3 == 1) {  // some in another status: an unfiltered list merges the status indexes
      v1::TransitionCaseRequest ack;
      ack.set_case_number(c.case_number());
      ack.set_expected_version(c.version());
      ack.mutable_acknowledge();
      ASSERT_TRUE(core_.Transition(ack).ok());
    }
  }
  v1::ListCasesRequest req;
  req.set_page_size(3);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto resp = core_.List(req);
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    for (const auto& c : resp->cases()) seen.push_back(c.case_number());
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  std::vector<std::string> expected(numbers.rbegin(), numbers.rend());
  EXPECT_EQ(seen, expected);
}

TEST_F(IntakeCoreTest, ListFiltersByCategoryAndWard) {
  for (int i = 0; i < 6; ++i) {
    MustReport(Report("f" + std::to_string(i), i < 2 ? v1::CATEGORY_HOUSING : v1::CATEGORY_WATER));
  }
  v1::ListCasesRequest req;
  req.set_ward_code("79800001");
  req.set_category(v1::CATEGORY_HOUSING);
  auto resp = core_.List(req);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->cases_size(), 2);
  req.set_ward_code("99999999");
  EXPECT_EQ(core_.List(req).status().violations()[0].field, "ward_code");
}

TEST_F(IntakeCoreTest, ListByMunicipalityDistrictOrStatusMergesThePlaceIndexes) {
  auto in_ward = [&](const std::string& id, const std::string& ward) {
    auto r = Report(id);
    r.mutable_place()->set_ward_code(ward);
    return MustReport(r).case_number();
  };
  std::string jhb = in_ward("m1", "79800001");
  std::string emfuleni = in_ward("m2", "74201001");
  std::string midvaal = in_ward("m3", "74202001");
  std::string mogale = in_ward("m4", "74801001");
  auto no_ward = Report("m5");
  no_ward.mutable_place()->clear_ward_code();
  no_ward.mutable_place()->set_address("Corner of Main and Church");
  std::string unplaced = MustReport(no_ward).case_number();
  v1::TransitionCaseRequest ack;
  ack.set_case_number(midvaal);
  ack.set_expected_version(1);
  ack.mutable_acknowledge();
  ASSERT_TRUE(core_.Transition(ack).ok());

  auto list = [&](const std::string& municipality, v1::CaseStatus status) {
    v1::ListCasesRequest req;
    req.set_municipality_code(municipality);
    req.set_status(status);
    std::vector<std::string> out;
    auto resp = core_.List(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (resp.ok()) {
      for (const auto& c : resp->cases()) out.push_back(c.case_number());
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list("JHB", v1::CASE_STATUS_UNSPECIFIED), V({jhb}));
  EXPECT_EQ(list("DC42", v1::CASE_STATUS_UNSPECIFIED), V({midvaal, emfuleni}));
  EXPECT_EQ(list("DC42", v1::CASE_STATUS_REPORTED), V({emfuleni}));
  EXPECT_EQ(list("GT", v1::CASE_STATUS_UNSPECIFIED), V({mogale, midvaal, emfuleni, jhb}));
  EXPECT_EQ(list("", v1::CASE_STATUS_REPORTED), V({unplaced, mogale, emfuleni, jhb}));
  EXPECT_EQ(list("", v1::CASE_STATUS_ACKNOWLEDGED), V({midvaal}));

  // Placed in a ward, the case leaves the unplaced set for its municipality's.
  v1::TransitionCaseRequest locate;
  locate.set_case_number(unplaced);
  locate.set_expected_version(1);
  locate.mutable_locate()->set_ward_code("74801002");
  ASSERT_TRUE(core_.Transition(locate).ok());
  EXPECT_EQ(list("GT481", v1::CASE_STATUS_UNSPECIFIED), V({unplaced, mogale}));
  EXPECT_EQ(redis_.Command({"ZCARD", keys::IndexPlaceStatus("", v1::CASE_STATUS_REPORTED)})->integer, 0);
}

TEST_F(IntakeCoreTest, LegacyStatusAndMunicipalityIndexesAreMigrated) {
  std::string a = MustReport(Report("g1")).case_number();
  std::string b = MustReport(Report("g2", v1::CATEGORY_HOUSING)).case_number();
  // The layout before 2026-11-29: a set per status and one per municipality.
  std::string current = keys::IndexPlaceStatus("JHB", v1::CASE_STATUS_REPORTED);
  ASSERT_TRUE(redis_.Command({"RENAME", current, "intake:idx:status:reported"}).ok());
  ASSERT_TRUE(redis_.Command({"ZADD", "intake:idx:muni:JHB", "1", a, "2", b}).ok());
  // An entry whose case record is gone only leaves the index.
  ASSERT_TRUE(redis_.Command({"ZADD", "intake:idx:status:reported", "0", "GP26-0999999-0"}).ok());
  v1::ListCasesRequest all;
  EXPECT_EQ(core_.List(all)->cases_size(), 0);

  auto moved = store_.MigrateLegacyIndexes();
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 2);
  auto listed = core_.List(all);
  ASSERT_EQ(listed->cases_size(), 2);
  EXPECT_EQ(listed->cases(0).case_number(), b);
  EXPECT_EQ(redis_.Command({"EXISTS", "intake:idx:status:reported", "intake:idx:muni:JHB"})->integer, 0);
  EXPECT_EQ(*store_.MigrateLegacyIndexes(), 0);  // nothing left to move
}

TEST_F(IntakeCoreTest, ImportCreatesThenIgnoresThenUpdates) {
  v1::ImportCaseRecord rec;
  rec.set_source_system("JHB-SAP");
  rec.set_source_id("SR-1001");
  rec.set_category(v1::CATEGORY_ELECTRICITY);
  rec.mutable_place()->set_ward_code("79800002");
  rec.set_description("Streetlight out");
  auto created = core_.Import(rec);
  ASSERT_EQ(created.outcome(), v1::ImportCaseResult::OUTCOME_CREATED);
  auto unchanged = core_.Import(rec);
  EXPECT_EQ(unchanged.outcome(), v1::ImportCaseResult::OUTCOME_UNCHANGED);
  EXPECT_EQ(unchanged.case_number(), created.case_number());
  rec.set_category(v1::CATEGORY_ROADS_STORMWATER);
  auto updated = core_.Import(rec);
  EXPECT_EQ(updated.outcome(), v1::ImportCaseResult::OUTCOME_UPDATED);
  auto c = core_.Get(created.case_number());
  EXPECT_EQ(c->category(), v1::CATEGORY_ROADS_STORMWATER);
  EXPECT_EQ(c->channel(), v1::CHANNEL_METRO_FEED);
  EXPECT_EQ(c->source_id(), "SR-1001");
  EXPECT_EQ(redis_.Command({"ZCARD", keys::IndexPlaceStatus("JHB", v1::CASE_STATUS_REPORTED)})->integer, 1);
}

// A batch gives what importing its records one at a time in order would: a record re-sent later in
// the batch updates the case made earlier in it, and a case near an earlier one of the same batch
// is linked to it as a possible duplicate.
TEST_F(IntakeCoreTest, ABatchImportsAsItsRecordsWouldOneByOne) {
  auto record = [](const std::string& id, v1::Category category, const std::string& ward) {
    v1::ImportCaseRecord r;
    r.set_source_system("TSH-CRM");
    r.set_source_id(id);
    r.set_category(category);
    r.mutable_place()->set_ward_code(ward);
    r.set_description("From the metro's system");
    return r;
  };
  ASSERT_EQ(core_.Import(record("SR-0", v1::CATEGORY_WATER, "79900001")).outcome(),
            v1::ImportCaseResult::OUTCOME_CREATED);
  std::vector<v1::ImportCaseRecord> batch = {
      record("SR-0", v1::CATEGORY_WATER, "79900001"),           // already imported, unchanged
      record("SR-1", v1::CATEGORY_HOUSING, "79900002"),         // new
      record("SR-2", v1::CATEGORY_HOUSING, "79900002"),         // new, near SR-1
      record("SR-3", v1::CATEGORY_ELECTRICITY, "99999999"),     // not a ward: rejected
      record("SR-1", v1::CATEGORY_ROADS_STORMWATER, "79900002"),  // SR-1 again, changed
      record("SR-4", v1::CATEGORY_ELECTRICITY, "79900003"),     // new
  };
  for (int i = 0; i < static_cast<int>(batch.size()); ++i) batch[i].set_row(i + 1);
  auto results = core_.ImportMany(batch);
  ASSERT_EQ(results.size(), batch.size());
  using R = v1::ImportCaseResult;
  std::vector<R::Outcome> outcomes;
  for (const auto& r : results) outcomes.push_back(r.outcome());
  EXPECT_EQ(outcomes, (std::vector<R::Outcome>{R::OUTCOME_UNCHANGED, R::OUTCOME_CREATED, R::OUTCOME_CREATED,
                                              R::OUTCOME_REJECTED, R::OUTCOME_UPDATED, R::OUTCOME_CREATED}));
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].row(), static_cast<int>(i + 1));
  EXPECT_EQ(results[3].violations(0).field(), "place.ward_code");
  EXPECT_EQ(results[4].case_number(), results[1].case_number());
  auto sr2 = core_.Get(results[2].case_number());
  EXPECT_EQ(sr2->duplicate_of(), results[1].case_number());
  EXPECT_EQ(core_.Get(results[1].case_number())->category(), v1::CATEGORY_ROADS_STORMWATER);
  // Numbers follow the records' order, and the records seen before used none up.
  auto sequence = [&](int i) { return ParseCaseNumber(results[i].case_number())->sequence; };
  EXPECT_EQ(sequence(2), sequence(1) + 1);
  EXPECT_EQ(sequence(5), sequence(2) + 1);
}

TEST_F(IntakeCoreTest, ABadImportRowIsRejectedWithItsFields) {
  v1::ImportCaseRecord rec;
  rec.set_source_system("TSH-CRM");
  rec.set_row(17);
  auto result = core_.Import(rec);
  EXPECT_EQ(result.outcome(), v1::ImportCaseResult::OUTCOME_REJECTED);
  EXPECT_EQ(result.row(), 17);
  ASSERT_GE(result.violations_size(), 3);
  EXPECT_EQ(result.violations(0).field(), "source_id");
}

TEST_F(IntakeCoreTest, AnAssignmentEventUpdatesTheViewOnce) {
  v1::Case c = MustReport(Report("assign"));
  v1::EventEnvelope e;
  e.set_event_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  e.set_aggregate_id(c.case_number());
  auto* a = e.mutable_case_assigned();
  a->set_case_number(c.case_number());
  a->set_sphere(v1::SPHERE_MUNICIPAL);
  a->set_department("Johannesburg Water");
  a->set_war_room("WR-79800001");
  std::string bytes = e.SerializeAsString();
  KafkaMessage m;
  m.value = bytes;
  ASSERT_TRUE(core_.ApplyEvent(m).ok());
  ASSERT_TRUE(core_.ApplyEvent(m).ok());  // redelivered: no second effect, no error
  auto got = core_.Get(c.case_number());
  EXPECT_EQ(got->department(), "Johannesburg Water");
  EXPECT_EQ(got->sphere(), v1::SPHERE_MUNICIPAL);
  EXPECT_EQ(got->version(), 1) << "routing's view does not disturb lifecycle versions";
  EXPECT_EQ(redis_.Command({"XLEN", keys::kChanges})->integer, 2);  // reported + assigned once
}

TEST_F(IntakeCoreTest, AnSlaEventPastDueMarksTheCaseOverdue) {
  v1::Case c = MustReport(Report("sla"));
  v1::EventEnvelope e;
  e.set_event_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c");
  auto* s = e.mutable_sla_changed();
  s->set_case_number(c.case_number());
  s->set_tier(v1::TIER_WARD);
  *s->mutable_due_at() = ToTimestamp(clock_.Now() + std::chrono::hours(1));
  std::string bytes = e.SerializeAsString();
  KafkaMessage m;
  m.value = bytes;
  ASSERT_TRUE(core_.ApplyEvent(m).ok());
  EXPECT_FALSE(core_.Get(c.case_number())->overdue());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_TRUE(core_.Get(c.case_number())->overdue());
  v1::ListCasesRequest overdue;
  overdue.set_overdue_only(true);
  EXPECT_EQ(core_.List(overdue)->cases_size(), 1);
}

TEST_F(IntakeCoreTest, RedisDownIsUnavailable) {
  server_.Stop();
  EXPECT_EQ(core_.Report(Report("down")).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace warroom::intake
