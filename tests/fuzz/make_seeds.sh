#!/usr/bin/env bash
# Writes the seed corpus of every fuzz target (tests/fuzz/corpus/<target>/) from readable text:
# case numbers as typed, and requests and events in protobuf text format encoded with protoc.
# The first byte of a request or event seed picks what it is (the targets' comments say how).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=$here/corpus
encode() {  # message-type text -> bytes on stdout
  printf '%s' "$2" | protoc --encode="warroom.v1.$1" -I "$root/protos" -I /usr/include \
    "$root"/protos/warroom/v1/*.proto
}
seed() {  # target name prefix-byte-octal message-type text
  mkdir -p "$corpus/$1"
  { printf "\\$3"; encode "$4" "$5"; } >"$corpus/$1/$2"
}

mkdir -p "$corpus/fuzz_case_number"
for n in GP26-0000001-4 GP26-0000001-0 gp26-0000001-4 GP26-9999999-1 GP2600000014 "" "GP26-0000001-4 " GP99-0000000-0; do
  printf '%s' "$n" >"$corpus/fuzz_case_number/$(printf '%s' "$n" | sha1sum | cut -c1-12)"
done

seed fuzz_request_validation report 000 ReportCaseRequest \
  'client_request_id: "r1" channel: CHANNEL_HOTLINE category: CATEGORY_WATER place { ward_code: "79800001" } description: "No water" anonymous: true'
seed fuzz_request_validation report-contact 000 ReportCaseRequest \
  'client_request_id: "r2" channel: CHANNEL_WALK_IN category: CATEGORY_SOCIAL_GRANTS place { position { latitude: -26.2 longitude: 28.04 } } description: "Grant" reporter { name: "A B" phone: "082 555 0101" id_number: "8001015009087" }'
seed fuzz_request_validation import 001 ImportCaseRecord \
  'source_system: "JHB-SAP" source_id: "J-1" category: CATEGORY_ELECTRICITY place { ward_code: "79800001" } description: "Outage" reported_at { seconds: 1780000000 } row: 1'
seed fuzz_request_validation resolve 002 TransitionCaseRequest \
  'case_number: "GP26-0000001-4" expected_version: 3 actor_role: "ward" resolve { resolution_note: "Fixed" }'
seed fuzz_request_validation recategorise 002 TransitionCaseRequest \
  'case_number: "GP26-0000001-4" expected_version: 3 recategorise { category: CATEGORY_SANITATION }'

# Topic index (first byte) follows kTopics: 0 cases, 1 assignments, 2 escalations, ...
seed fuzz_event_decoding case-reported 000 EventEnvelope \
  'event_id: "e1" producer: "intake" aggregate_id: "GP26-0000001-4" aggregate_version: 1 case_reported { case_number: "GP26-0000001-4" channel: CHANNEL_HOTLINE category: CATEGORY_WATER ward_code: "79800001" municipality_code: "JHB" reported_at { seconds: 1780000000 } }'
seed fuzz_event_decoding case-status 000 EventEnvelope \
  'event_id: "e2" producer: "intake" aggregate_id: "GP26-0000001-4" aggregate_version: 2 case_status_changed { case_number: "GP26-0000001-4" from: CASE_STATUS_REPORTED to: CASE_STATUS_ACKNOWLEDGED }'
seed fuzz_event_decoding case-assigned 001 EventEnvelope \
  'event_id: "e3" producer: "routing" aggregate_id: "GP26-0000001-4" aggregate_version: 1 case_assigned { case_number: "GP26-0000001-4" department: "water" municipality_code: "JHB" }'
seed fuzz_event_decoding no-payload 000 EventEnvelope 'event_id: "e4"'

mkdir -p "$corpus/fuzz_config_loading"
for f in "$root"/services/*/config/*.yaml; do cp "$f" "$corpus/fuzz_config_loading/$(basename "$f")"; done
printf 'server:\n  grpc_port: 70000\n' >"$corpus/fuzz_config_loading/port-out-of-range.yaml"
printf 'kafka:\n  message_timeout_ms: [1, 2]\n' >"$corpus/fuzz_config_loading/list-for-number.yaml"
printf 'a: [unclosed\n' >"$corpus/fuzz_config_loading/not-yaml.yaml"
echo "seeds written to $corpus"
