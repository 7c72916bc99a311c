#include "warroom/common/data_file.h"

#include <fstream>
#include <sstream>

namespace warroom {

StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status DataError(const std::string& file, const YAML::Node& node, const std::string& why) {
  return InvalidArgumentError(file + ":" + std::to_string(node.Mark().line + 1) + ": " + why);
}

}  // namespace warroom
