#include "services/intake/src/watch_hub.h"

#include <thread>

#include "services/intake/src/case_store.h"

namespace warroom::intake {

bool WatchSubscription::Next(CaseChangeRef& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); })) return false;
  out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

bool WatchSubscription::Matches(std::string_view ward, std::string_view municipality) const {
  return (!ward_.empty() && ward_ == ward) || (!municipality_.empty() && municipality_ == municipality);
}

void WatchSubscription::Push(CaseChangeRef change) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) queue_.pop_front();
    queue_.push_back(std::move(change));
  }
  cv_.notify_one();
}

bool WatchHub::AnyoneWatching() {
  std::erase_if(subscribers_, [](const auto& w) { return w.expired(); });
  return !subscribers_.empty();
}

std::shared_ptr<WatchSubscription> WatchHub::Subscribe(std::string ward, std::string municipality) {
  auto sub = std::make_shared<WatchSubscription>(std::move(ward), std::move(municipality));
  bool idle;
  {
    std::lock_guard lock(mu_);
    idle = !AnyoneWatching();
  }
  // The hub reads the change stream only while someone watches. The first watcher after a quiet
  // spell starts it at the stream's newest entry now, so that no change after this call is missed.
  std::string start = "$";  // Redis unreachable: from whatever comes next
  if (idle) {
    auto newest = redis_.Command({"XREVRANGE", keys::kChanges, "+", "-", "COUNT", "1"});
    if (newest.ok()) start = newest->elements.empty() ? "0-0" : newest->elements[0].elements[0].str;
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
    std::vector<std::shared_ptr<WatchSubscription>> live;
    {
      std::unique_lock lock(mu_);
      if (!AnyoneWatching()) {
        last.clear();
        watched_.wait_for(lock, std::chrono::milliseconds(500));
        continue;
      }
      if (last.empty()) last = resume_from_.empty() ? "$" : resume_from_;
      resume_from_.clear();
      for (auto& w : subscribers_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    auto reply = redis_.Command({"XREAD", "COUNT", "500", "BLOCK", "500", "STREAMS", keys::kChanges, last});
    if (!reply.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (reply->is_nil() || reply->elements.empty()) continue;
    for (const auto& entry : reply->elements[0].elements[1].elements) {
      last = entry.elements[0].str;
      std::string cn, ward, muni, type;
      const auto& f = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        if (f[i].str == "cn") cn = f[i + 1].str;
        else if (f[i].str == "w") ward = f[i + 1].str;
        else if (f[i].str == "m") muni = f[i + 1].str;
        else if (f[i].str == "y") type = f[i + 1].str;
      }
      for (auto& s : live) {
        if (s->Matches(ward, muni)) s->Push({cn, type});
      }
    }
  }
}

}  // namespace warroom::intake
