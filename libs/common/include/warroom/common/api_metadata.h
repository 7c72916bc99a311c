// gRPC metadata names that belong to the public API (docs/API.md), shared by the services that
// send them and the clients that read them.
#pragma once

namespace warroom::metadata {

// WatchCases' initial metadata: the change-stream position the watch starts from, a resume token
// for a client that loses the stream before its first change.
inline constexpr char kWatchResumeToken[] = "warroom-resume-token";

}  // namespace warroom::metadata
