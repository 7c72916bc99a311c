#include "services/intake/src/watch_hub.h"

#include <charconv>
#include <thread>

#include "services/intake/src/case_store.h"
#include "warroom/common/outbox.h"

namespace warroom::intake {

std::optional<ChangeId> ChangeId::Parse(std::string_view text) {
  auto number = [](std::string_view part, uint64_t& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && ec == std::errc() && end == part.data() + part.size();
  };
  ChangeId id;
  if (auto dot = text.find('.'); dot != std::string_view::npos) {
    if (!number(text.substr(dot + 1), id.index)) return std::nullopt;
    text = text.substr(0, dot);
  }
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  if (!number(text.substr(0, dash), id.ms) || !number(text.substr(dash + 1), id.seq)) return std::nullopt;
  return id;
}

std::string ChangeId::EntryId() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::string ChangeId::ToString() const {
  return index == 0 ? EntryId() : EntryId() + "." + std::to_string(index);
}

WatchSubscription::Polled WatchSubscription::Next(CaseChangeRef& out) {
  std::lock_guard lock(mu_);
  if (overflowed_) return Polled::kOverflowed;
  if (queue_.empty()) return Polled::kNone;
  out = std::move(queue_.front());
  queue_.pop_front();
  return Polled::kChange;
}

bool WatchSubscription::Matches(std::string_view ward, std::string_view municipality) const {
  return (!ward_.empty() && ward_ == ward) || (!municipality_.empty() && municipality_ == municipality);
}

void WatchSubscription::OnPush(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::make_shared<const std::function<void()>>(std::move(notify));
}

void WatchSubscription::Push(CaseChangeRef change) {
  std::shared_ptr<const std::function<void()>> notify;
  {
    std::lock_guard lock(mu_);
    if (overflowed_) return;
    if (queue_.size() >= max_queued_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(change));
    }
    notify = notify_;
  }
  if (notify) (*notify)();
}

namespace {

// One change stream entry, [id, [field, value, ...]]: its changes (fields cn w m y for each),
// added to out.
void ParseEntry(const RedisReply& entry, std::vector<CaseChangeRef>& out) {
  if (entry.elements.size() != 2) return;
  auto id = ChangeId::Parse(entry.elements[0].str);
  if (!id || id->index != 0) return;
  auto records = AppendedRecords(entry.elements[1].elements, "cn");
  for (size_t r = 0; r < records.size(); ++r) {
    CaseChangeRef& ref = out.emplace_back();
    ref.id = *id;
    ref.id.index = r;
    for (size_t i = 0; i + 1 < records[r].size(); i += 2) {
      const std::string& name = records[r][i].str;
      const std::string& value = records[r][i + 1].str;
      if (name == "cn") ref.case_number = value;
      else if (name == "w") ref.ward = value;
      else if (name == "m") ref.municipality = value;
      else if (name == "y") ref.change = value;
    }
  }
}

}  // namespace

bool WatchHub::AnyoneWatching() {
  std::erase_if(subscribers_, [](const auto& w) { return w.expired(); });
  return !subscribers_.empty();
}

std::shared_ptr<WatchSubscription> WatchHub::Subscribe(std::string ward, std::string municipality) {
  auto sub = std::make_shared<WatchSubscription>(std::move(ward), std::move(municipality), max_queued_);
  bool idle;
  {
    std::lock_guard lock(mu_);
    idle = !AnyoneWatching();
  }
  // The hub reads the change stream only while someone watches. The first watcher after a quiet
  // spell starts it at the stream's newest entry now, so that no change after this call is missed.
  std::string start = "$";  // Redis unreachable: from whatever comes next
  if (idle) {
    if (auto newest = Newest(); newest.ok()) start = newest->EntryId();
  }
  {
    std::lock_guard lock(mu_);
    subscribers_.push_back(sub);
    if (idle && resume_from_.empty()) resume_from_ = start;
  }
  watched_.notify_all();
  return sub;
}

void WatchHub::Run(std::stop_token stop) {
  std::string last;  // the last entry read; empty while nobody watches
  StreamReadSizer sizer;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      if (!AnyoneWatching()) {
        last.clear();
        watched_.wait_for(lock, std::chrono::milliseconds(500));
        continue;
      }
      if (last.empty()) last = resume_from_.empty() ? "$" : resume_from_;
      resume_from_.clear();
    }
    // About 500 changes a read, however many an entry holds, so that one read does not flood a
    // watcher's queue.
    auto reply = blocking_.Command({"XREAD", "COUNT", std::to_string(sizer.Entries(500)), "BLOCK", "500",
                                    "STREAMS", keys::kChanges, last});
    if (!reply.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (reply->is_nil() || reply->elements.empty()) continue;
    // The watchers are taken after the read, so that one who subscribed while it blocked gets
    // the changes it returns: every change appended after Subscribe reaches the subscription.
    std::vector<std::shared_ptr<WatchSubscription>> live;
    {
      std::lock_guard lock(mu_);
      for (auto& w : subscribers_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    std::vector<CaseChangeRef> changes;
    const auto& entries = reply->elements[0].elements[1].elements;
    for (const auto& entry : entries) {
      if (entry.elements.size() == 2) last = entry.elements[0].str;
      ParseEntry(entry, changes);
    }
    sizer.Read(entries.size(), changes.size());
    for (const auto& ref : changes) {
      for (auto& s : live) {
        if (s->Matches(ref.ward, ref.municipality)) s->Push(ref);
      }
    }
  }
}

Status WatchHub::CheckResumable(const ChangeId& after) {
  auto gone = [&](std::string_view why) {
    return Status(StatusCode::kOutOfRange,
                  "the changes after " + after.ToString() + " are no longer held (" + std::string(why) +
                      "); list the cases, then watch again without a resume_token");
  };
  auto replies = reads_.Pipeline({{"XINFO", "STREAM", keys::kChanges}});
  if (!replies.ok()) return replies.status();
  const RedisReply* info = &replies->front();
  if (info->is_error()) {
    if (info->str.find("no such key") == std::string::npos) return InternalError("redis: " + info->str);
    // No change was ever made: a watch that began then (at 0-0) has missed none.
    return after == ChangeId{} ? Status::Ok() : gone("no change is held");
  }
  std::optional<ChangeId> newest, oldest;  // oldest stays empty while the stream holds nothing
  for (size_t i = 0; i + 1 < info->elements.size(); i += 2) {
    const std::string& name = info->elements[i].str;
    const RedisReply& value = info->elements[i + 1];
    if (name == "last-generated-id") newest = ChangeId::Parse(value.str);
    if (name == "first-entry" && value.elements.size() == 2) oldest = ChangeId::Parse(value.elements[0].str);
  }
  // Entries are compared, not the changes within them (an entry is kept or trimmed whole).
  ChangeId entry = after;
  entry.index = 0;
  if (!newest || entry > *newest) return gone("it is newer than every change held");
  if (entry == *newest) return Status::Ok();
  // The stream is trimmed from its oldest end: if `after` is older than the oldest entry held,
  // changes after it may have gone with it.
  if (!oldest || entry < *oldest) return gone("the stream keeps only the newest changes");
  return Status::Ok();
}

StatusOr<ChangeId> WatchHub::Newest() {
  auto newest = reads_.Command({"XREVRANGE", keys::kChanges, "+", "-", "COUNT", "1"});
  if (!newest.ok()) return newest.status();
  if (newest->elements.empty()) return ChangeId{};
  std::vector<CaseChangeRef> changes;
  ParseEntry(newest->elements[0], changes);
  if (changes.empty()) return InternalError("the change stream's newest entry holds no change");
  return changes.back().id;  // the entry's last change
}

StatusOr<std::vector<CaseChangeRef>> WatchHub::ReadAfter(const ChangeId& after, size_t count) {
  // From after's own entry, whose later changes may not have been read yet.
  auto reply = reads_.Command({"XRANGE", keys::kChanges, after.EntryId(), "+", "COUNT", std::to_string(count + 1)});
  if (!reply.ok()) return reply.status();
  std::vector<CaseChangeRef> changes;
  for (const auto& entry : reply->elements) ParseEntry(entry, changes);
  std::erase_if(changes, [&](const CaseChangeRef& c) { return c.id <= after; });
  return changes;
}

}  // namespace warroom::intake
