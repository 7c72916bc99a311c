#include "warroom/common/kafka.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "warroom/common/clock.h"
#include "warroom/common/log.h"

namespace warroom {

void RdKafkaDeleter::operator()(rd_kafka_s* rk) const { rd_kafka_destroy(rk); }

namespace {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};

Status SetAll(rd_kafka_conf_t* conf, const std::vector<std::pair<std::string, std::string>>& kv) {
  char err[512];
  for (const auto& [k, v] : kv) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      return InvalidArgumentError("kafka config " + k + ": " + err);
    }
  }
  return Status::Ok();
}

Status Reachable(rd_kafka_t* rk, std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return UnavailableError(std::string("kafka unreachable: ") + rd_kafka_err2str(err));
  }
  bool any_broker = md->broker_cnt > 0;
  rd_kafka_metadata_destroy(md);
  return any_broker ? Status::Ok() : UnavailableError("kafka: no brokers in metadata");
}

// The message as the handler sees it: views into librdkafka's buffers, valid while m lives.
KafkaMessage ViewOf(rd_kafka_message_t* m) {
  KafkaMessage msg;
  msg.topic = rd_kafka_topic_name(m->rkt);
  msg.partition = m->partition;
  msg.offset = m->offset;
  msg.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  msg.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      msg.headers.push_back({name, std::string(static_cast<const char*>(value), size)});
    }
  }
  return msg;
}

// Lag per topic over the consumer's current assignment: high watermark minus the position (the
// next offset the application will see), or minus the low watermark before the first message.
std::map<std::string, int64_t> LagOf(rd_kafka_t* rk) {
  std::map<std::string, int64_t> lag;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(rk, &raw) != RD_KAFKA_RESP_ERR_NO_ERROR || raw == nullptr) return lag;
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> list(raw);
  rd_kafka_position(rk, list.get());
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(rk, tp.topic, tp.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      lag.try_emplace(tp.topic, 0);
      continue;
    }
    int64_t position = tp.offset >= 0 ? tp.offset : std::max<int64_t>(low, 0);
    lag[tp.topic] += std::max<int64_t>(0, high - position);
  }
  return lag;
}

void LogKafkaEvent(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // librdkafka's own lines name brokers and topics, never message contents.
  if (level <= 3) {
    log::Error("kafka").Kv("facility", fac).Kv("detail", buf);
  } else if (level <= 5) {
    log::Warn("kafka").Kv("facility", fac).Kv("detail", buf);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------- producer

KafkaProducer::KafkaProducer(DeliveryCallback on_delivery) : on_delivery_(std::move(on_delivery)) {}

KafkaProducer::~KafkaProducer() {
  if (rk_) rd_kafka_flush(rk_.get(), 2000);
}

StatusOr<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const KafkaConfig& config,
                                                               DeliveryCallback on_delivery) {
  std::unique_ptr<KafkaProducer> p(new KafkaProducer(std::move(on_delivery)));
  ConfPtr conf(rd_kafka_conf_new());
  WARROOM_RETURN_IF_ERROR(SetAll(conf.get(), {
                                                 {"bootstrap.servers", config.bootstrap_servers},
                                                 {"client.id", config.client_id},
                                                 {"enable.idempotence", "true"},
                                                 {"acks", "all"},
                                                 {"linger.ms", "5"},
                                                 {"message.timeout.ms",
                                                  std::to_string(config.message_timeout_ms)},
                                                 {"queue.buffering.max.messages", "200000"},
                                             }));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t* rk, const rd_kafka_message_t* m,
                                             void* opaque) { OnDelivery(rk, m, opaque); });
  rd_kafka_conf_set_log_cb(conf.get(), LogKafkaEvent);
  rd_kafka_conf_set_opaque(conf.get(), p.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof(err));
  if (rk == nullptr) return InvalidArgumentError(std::string("kafka producer: ") + err);
  conf.release();  // owned by rk now
  p->rk_.reset(rk);
  return p;
}

void KafkaProducer::OnDelivery(rd_kafka_s* /*rk*/, const void* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  DeliveryReport report;
  report.token = reinterpret_cast<uintptr_t>(m->_private);
  report.partition = m->partition;
  report.offset = m->offset;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    report.status = UnavailableError(std::string("kafka delivery failed: ") + rd_kafka_err2str(m->err));
  }
  if (self->on_delivery_) self->on_delivery_(report);
}

Status KafkaProducer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                              const std::vector<KafkaHeader>& headers, uint64_t token) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& h : headers) {
    rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                        static_cast<ssize_t>(h.value.size()));
  }
  std::string topic_name(topic);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_TOPIC(topic_name.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(token)), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  rd_kafka_headers_destroy(hdrs);  // still ours when produce failed
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return Status(StatusCode::kResourceExhausted, "kafka producer queue full");
  }
  return UnavailableError(std::string("kafka produce: ") + rd_kafka_err2str(err));
}

int KafkaProducer::Poll(std::chrono::milliseconds timeout) {
  return rd_kafka_poll(rk_.get(), static_cast<int>(timeout.count()));
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return UnavailableError(std::string("kafka flush: ") + rd_kafka_err2str(err));
}

int KafkaProducer::InFlight() const { return rd_kafka_outq_len(rk_.get()); }

Status KafkaProducer::CheckReachable(std::chrono::milliseconds timeout) const {
  return Reachable(rk_.get(), timeout);
}

// ---------------------------------------------------------------------------------- consumer

std::string_view KafkaMessage::Header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

KafkaConsumer::KafkaConsumer(ConsumerOptions options) : options_(std::move(options)) {}

KafkaConsumer::~KafkaConsumer() { Close(); }

StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(const KafkaConfig& config,
                                                               ConsumerOptions options) {
  if (options.group_id.empty()) return InvalidArgumentError("kafka consumer needs a group id");
  std::unique_ptr<KafkaConsumer> c(new KafkaConsumer(std::move(options)));
  ConfPtr conf(rd_kafka_conf_new());
  WARROOM_RETURN_IF_ERROR(SetAll(
      conf.get(), {
                      {"bootstrap.servers", config.bootstrap_servers},
                      {"client.id", config.client_id},
                      {"group.id", c->options_.group_id},
                      {"auto.offset.reset", "earliest"},
                      // Offsets are stored only after the handler succeeded; the background
                      // commit then commits only what was applied.
                      {"enable.auto.offset.store", "false"},
                      {"enable.auto.commit", "true"},
                      {"auto.commit.interval.ms", "500"},
                      {"fetch.wait.max.ms", std::to_string(config.fetch_wait_max_ms)},
                      {"session.timeout.ms", "6000"},
                      {"heartbeat.interval.ms", "500"},
                  }));
  rd_kafka_conf_set_rebalance_cb(
      conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, void* opaque) {
        OnRebalance(rk, err, partitions, opaque);
      });
  rd_kafka_conf_set_log_cb(conf.get(), LogKafkaEvent);
  rd_kafka_conf_set_opaque(conf.get(), c.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (rk == nullptr) return InvalidArgumentError(std::string("kafka consumer: ") + err);
  conf.release();
  c->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(c->options_.topics.size())));
  for (const auto& t : c->options_.topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t sub = rd_kafka_subscribe(rk, list.get());
  if (sub != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return InvalidArgumentError(std::string("kafka subscribe: ") + rd_kafka_err2str(sub));
  }
  return c;
}

void KafkaConsumer::OnRebalance(rd_kafka_s* rk, int err, void* partitions, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  auto* list = static_cast<rd_kafka_topic_partition_list_t*>(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, list);
    self->assigned_partitions_ = list->cnt;
    log::Info("kafka_partitions_assigned").Kv("group", self->options_.group_id).Kv("count", list->cnt);
  } else {
    rd_kafka_assign(rk, nullptr);
    self->assigned_partitions_ = 0;
    log::Info("kafka_partitions_revoked").Kv("group", self->options_.group_id);
  }
}

void KafkaConsumer::Run(std::stop_token stop, const Handler& handler) {
  while (!stop.stop_requested()) {
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), 100));
    if (!m) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log::Warn("kafka_consume_error").Kv("error", rd_kafka_message_errstr(m.get()));
      }
      continue;
    }
    KafkaMessage msg = ViewOf(m.get());
    auto backoff = std::chrono::milliseconds(50);
    while (true) {
      Status s = handler(msg);
      if (s.ok()) {
        ++applied_;
        break;
      }
      if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kDataLoss) {
        ++rejected_;
        log::Error("event_rejected")
            .Kv("topic", msg.topic)
            .Kv("partition", msg.partition)
            .Kv("offset", msg.offset)
            .Kv("reason", s.ToString());
        break;
      }
      log::Warn("event_apply_retry")
          .Kv("topic", msg.topic)
          .Kv("partition", msg.partition)
          .Kv("offset", msg.offset)
          .Kv("reason", s.ToString());
      if (!SleepUnlessStopped(stop, backoff)) return;  // not stored: redelivered after restart
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
    }
    rd_kafka_offset_store(m->rkt, m->partition, m->offset);  // commits offset + 1
  }
}

void KafkaConsumer::Close() {
  if (closed_ || !rk_) return;
  closed_ = true;
  rd_kafka_consumer_close(rk_.get());
}

Status KafkaConsumer::CheckReachable(std::chrono::milliseconds timeout) const {
  return Reachable(rk_.get(), timeout);
}

std::map<std::string, int64_t> KafkaConsumer::LagByTopic() const {
  auto lag = LagOf(rk_.get());
  for (const auto& t : options_.topics) lag.try_emplace(t, 0);
  return lag;
}

// ---------------------------------------------------------------------------------- reader

StatusOr<std::unique_ptr<KafkaPartitionReader>> KafkaPartitionReader::Create(
    const KafkaConfig& config, const std::vector<std::pair<std::string, int>>& topics,
    const std::vector<PartitionPosition>& start) {
  std::unique_ptr<KafkaPartitionReader> r(new KafkaPartitionReader());
  ConfPtr conf(rd_kafka_conf_new());
  WARROOM_RETURN_IF_ERROR(
      SetAll(conf.get(), {
                             {"bootstrap.servers", config.bootstrap_servers},
                             {"client.id", config.client_id},
                             // A group id is required by the consumer API; nothing is committed.
                             {"group.id", config.client_id + "-reader"},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"auto.offset.reset", "earliest"},
                             {"fetch.wait.max.ms", std::to_string(config.fetch_wait_max_ms)},
                         }));
  rd_kafka_conf_set_log_cb(conf.get(), LogKafkaEvent);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (rk == nullptr) return InvalidArgumentError(std::string("kafka reader: ") + err);
  conf.release();
  r->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> list(
      rd_kafka_topic_partition_list_new(64));
  for (const auto& [topic, partitions] : topics) {
    for (int p = 0; p < partitions; ++p) {
      int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
      for (const auto& s : start) {
        if (s.topic == topic && s.partition == p) offset = s.next_offset;
      }
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = offset;
      r->next_[{topic, p}] = offset;
    }
  }
  rd_kafka_resp_err_t assigned = rd_kafka_assign(rk, list.get());
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return InvalidArgumentError(std::string("kafka assign: ") + rd_kafka_err2str(assigned));
  }
  return r;
}

KafkaPartitionReader::~KafkaPartitionReader() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

int KafkaPartitionReader::Read(int max, std::chrono::milliseconds timeout,
                               const std::function<void(const KafkaMessage&)>& fn) {
  int n = 0;
  int wait = static_cast<int>(timeout.count());
  while (n < max) {
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), n == 0 ? wait : 0));
    if (!m) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log::Warn("kafka_read_error").Kv("error", rd_kafka_message_errstr(m.get()));
      }
      continue;
    }
    KafkaMessage view = ViewOf(m.get());
    {
      std::lock_guard lock(mu_);
      next_[{std::string(view.topic), view.partition}] = view.offset + 1;
    }
    fn(view);
    ++n;
  }
  return n;
}

std::map<std::string, int64_t> KafkaPartitionReader::LagByTopic() const {
  std::map<std::string, int64_t> lag;
  std::lock_guard lock(mu_);
  for (const auto& [tp, next] : next_) {
    int64_t low = -1, high = -1;
    auto& sum = lag[tp.first];
    if (rd_kafka_get_watermark_offsets(rk_.get(), tp.first.c_str(), tp.second, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    sum += std::max<int64_t>(0, high - (next >= 0 ? next : std::max<int64_t>(low, 0)));
  }
  return lag;
}

Status KafkaPartitionReader::CheckReachable(std::chrono::milliseconds timeout) const {
  return Reachable(rk_.get(), timeout);
}

}  // namespace warroom
