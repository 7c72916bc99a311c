// Writing a stream's messages in groups: one socket write per group instead of one per message.
#pragma once

#include <grpcpp/impl/call_op_set.h>

#include <cstddef>

namespace warroom {

// The options for the message at `index` (from 0) of a stream sent in groups of `group` (>= 1): every
// message but a group's last carries the buffer hint, which holds it until a later plain write
// sends them all. A hinted message is never sent by itself, so the sender's last message must be
// a group's last, or be followed by WritesDone (a client) or by returning (a server).
inline grpc::WriteOptions GroupedWrite(size_t index, size_t group) {
  grpc::WriteOptions options;
  if ((index + 1) % group != 0) options.set_buffer_hint();
  return options;
}

}  // namespace warroom
