#include "services/intake/src/watch_hub.h"

#include <charconv>
#include <thread>

#include "services/intake/src/case_store.h"

namespace warroom::intake {

std::optional<ChangeId> ChangeId::Parse(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  ChangeId id;
  auto number = [](std::string_view part, uint64_t& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size();
  };
  if (!number(text.substr(0, dash), id.ms) || !number(text.substr(dash + 1), id.seq)) return std::nullopt;
  return id;
}

std::string ChangeId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

WatchSubscription::Wait WatchSubscription::Next(CaseChangeRef& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return overflowed_ || !queue_.empty(); })) return Wait::kTimeout;
  if (overflowed_) return Wait::kOverflowed;
  out = std::move(queue_.front());
  queue_.pop_front();
  return Wait::kChange;
}

bool WatchSubscription::Matches(std::string_view ward, std::string_view municipality) const {
  return (!ward_.empty() && ward_ == ward) || (!municipality_.empty() && municipality_ == municipality);
}

void WatchSubscription::Push(CaseChangeRef change) {
  {
    std::lock_guard lock(mu_);
    if (overflowed_) return;
    if (queue_.size() >= max_queued_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(change));
    }
  }
  cv_.notify_one();
}

namespace {

// One change stream entry: [id, [field, value, ...]].
std::optional<CaseChangeRef> ParseEntry(const RedisReply& entry) {
  if (entry.elements.size() != 2) return std::nullopt;
  auto id = ChangeId::Parse(entry.elements[0].str);
  if (!id) return std::nullopt;
  CaseChangeRef ref;
  ref.id = *id;
  const auto& f = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i].str == "cn") ref.case_number = f[i + 1].str;
    else if (f[i].str == "w") ref.ward = f[i + 1].str;
    else if (f[i].str == "m") ref.municipality = f[i + 1].str;
    else if (f[i].str == "y") ref.change = f[i + 1].str;
  }
  return ref;
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
    if (auto newest = Newest(); newest.ok()) start = newest->ToString();
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
    auto reply = blocking_.Command({"XREAD", "COUNT", "500", "BLOCK", "500", "STREAMS", keys::kChanges, last});
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
    for (const auto& entry : reply->elements[0].elements[1].elements) {
      if (entry.elements.size() == 2) last = entry.elements[0].str;
      auto ref = ParseEntry(entry);
      if (!ref) continue;
      for (auto& s : live) {
        if (s->Matches(ref->ward, ref->municipality)) s->Push(*ref);
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
  if (!newest || after > *newest) return gone("it is newer than every change held");
  if (after == *newest) return Status::Ok();
  // The stream is trimmed from its oldest end: if `after` is older than the oldest entry held,
  // changes after it may have gone with it.
  if (!oldest || after < *oldest) return gone("the stream keeps only the newest changes");
  return Status::Ok();
}

StatusOr<ChangeId> WatchHub::Newest() {
  auto newest = reads_.Command({"XREVRANGE", keys::kChanges, "+", "-", "COUNT", "1"});
  if (!newest.ok()) return newest.status();
  if (newest->elements.empty()) return ChangeId{};
  auto id = ChangeId::Parse(newest->elements[0].elements.empty() ? "" : newest->elements[0].elements[0].str);
  if (!id) return InternalError("the change stream's newest entry has no id");
  return *id;
}

StatusOr<std::vector<CaseChangeRef>> WatchHub::ReadAfter(const ChangeId& after, size_t count) {
  auto reply = reads_.Command({"XRANGE", keys::kChanges, "(" + after.ToString(), "+", "COUNT",
                               std::to_string(count)});
  if (!reply.ok()) return reply.status();
  std::vector<CaseChangeRef> out;
  for (const auto& entry : reply->elements) {
    if (auto ref = ParseEntry(entry)) out.push_back(std::move(*ref));
  }
  return out;
}

}  // namespace warroom::intake
