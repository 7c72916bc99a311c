// Reading the data files operations staff edit (YAML and text), with errors that name the file
// and line, so a bad file is refused with a reason a person can act on.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "warroom/common/status.h"

namespace warroom {

// NOT_FOUND naming the path when the file cannot be read.
StatusOr<std::string> ReadTextFile(const std::string& path);

// INVALID_ARGUMENT "file:line: reason" when the text is not YAML.
StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& file);

// INVALID_ARGUMENT "file:line: why", the line being the node's (1-based).
Status DataError(const std::string& file, const YAML::Node& node, const std::string& why);

}  // namespace warroom
