#include "warroom/common/geography.h"

#include "warroom/common/data_file.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace warroom {

namespace {

Status LineError(std::string_view file, size_t line, const std::string& why) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " + why);
}

bool ToInt(const std::string& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ToDouble(const std::string& s, double& out) {
  try {
    size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

StatusOr<std::vector<std::vector<std::string>>> ParseSimpleCsv(std::string_view text,
                                                               std::string_view file,
                                                               size_t columns) {
  std::vector<std::vector<std::string>> rows;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.find('"') != std::string_view::npos) {
      return LineError(file, line_no, "quoted fields are not supported");
    }
    std::vector<std::string> fields;
    size_t f = 0;
    while (true) {
      size_t comma = line.find(',', f);
      fields.emplace_back(line.substr(f, comma == std::string_view::npos ? comma : comma - f));
      if (comma == std::string_view::npos) break;
      f = comma + 1;
    }
    if (fields.size() != columns) {
      return LineError(file, line_no,
                       "expected " + std::to_string(columns) + " fields, found " +
                           std::to_string(fields.size()));
    }
    rows.push_back(std::move(fields));
  }
  if (rows.empty()) return InvalidArgumentError(std::string(file) + ": no header line");
  return rows;
}

StatusOr<Geography> Geography::LoadDir(const std::string& dir) {
  auto m = ReadTextFile(dir + "/municipalities-gauteng.csv");
  if (!m.ok()) return m.status();
  auto r = ReadTextFile(dir + "/metro-regions.csv");
  if (!r.ok()) return r.status();
  auto b = ReadTextFile(dir + "/bounds.csv");
  if (!b.ok()) return b.status();
  return Load(*m, *r, *b);
}

StatusOr<Geography> Geography::Load(std::string_view municipalities_csv,
                                    std::string_view regions_csv, std::string_view bounds_csv) {
  Geography g;
  constexpr std::string_view kMunis = "municipalities-gauteng.csv";
  auto rows = ParseSimpleCsv(municipalities_csv, kMunis, 6);
  if (!rows.ok()) return rows.status();
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& f = (*rows)[i];
    Municipality m;
    m.code = f[0];
    m.name = f[1];
    m.parent = f[3];
    m.ward_prefix = f[4];
    if (f[2] == "province") {
      m.kind = MunicipalityKind::kProvince;
      g.province_ = m.code;
    } else if (f[2] == "metro") {
      m.kind = MunicipalityKind::kMetro;
    } else if (f[2] == "district") {
      m.kind = MunicipalityKind::kDistrict;
    } else if (f[2] == "local") {
      m.kind = MunicipalityKind::kLocal;
    } else {
      return LineError(kMunis, i + 1, "unknown kind '" + f[2] + "'");
    }
    bool has_wards = m.kind == MunicipalityKind::kMetro || m.kind == MunicipalityKind::kLocal;
    if (has_wards) {
      if (!ToInt(f[5], m.wards) || m.wards <= 0 || m.wards > 999) {
        return LineError(kMunis, i + 1, "ward count '" + f[5] + "' is not 1..999");
      }
      if (m.ward_prefix.empty() || m.ward_prefix.size() > 5) {
        return LineError(kMunis, i + 1, "ward code prefix must be 1 to 5 digits");
      }
    }
    if (!g.municipalities_.emplace(m.code, m).second) {
      return LineError(kMunis, i + 1, "duplicate code " + m.code);
    }
  }
  if (g.province_.empty()) return InvalidArgumentError(std::string(kMunis) + ": no province row");
  for (const auto& [code, m] : g.municipalities_) {
    if (m.kind != MunicipalityKind::kProvince && !g.municipalities_.contains(m.parent)) {
      return InvalidArgumentError(std::string(kMunis) + ": " + code + " has unknown parent '" +
                                  m.parent + "'");
    }
    if (m.kind != MunicipalityKind::kMetro && m.kind != MunicipalityKind::kLocal) continue;
    std::string prefix = m.ward_prefix;
    prefix.resize(5, '0');
    for (int n = 1; n <= m.wards; ++n) {
      char number[12];
      std::snprintf(number, sizeof(number), "%03d", n);
      Ward w{prefix + number, code, n, "", m.kind == MunicipalityKind::kMetro ? code : m.parent};
      if (!g.wards_.emplace(w.code, w).second) {
        return InvalidArgumentError(std::string(kMunis) + ": ward code " + w.code + " of " + code +
                                    " collides with another municipality's");
      }
    }
  }

  constexpr std::string_view kRegions = "metro-regions.csv";
  auto regions = ParseSimpleCsv(regions_csv, kRegions, 4);
  if (!regions.ok()) return regions.status();
  for (size_t i = 1; i < regions->size(); ++i) {
    const auto& f = (*regions)[i];
    const Municipality* metro = g.FindMunicipality(f[0]);
    if (metro == nullptr || metro->kind != MunicipalityKind::kMetro) {
      return LineError(kRegions, i + 1, "'" + f[0] + "' is not a metro");
    }
    int first = 0, last = 0;
    if (!ToInt(f[2], first) || !ToInt(f[3], last) || first < 1 || last < first ||
        last > metro->wards) {
      return LineError(kRegions, i + 1,
                       "ward range " + f[2] + ".." + f[3] + " is not within 1.." +
                           std::to_string(metro->wards));
    }
    for (auto* w : g.WardsOf(metro->code)) {
      if (w->number < first || w->number > last) continue;
      auto& ward = g.wards_.find(w->code)->second;
      if (!ward.region.empty()) {
        return LineError(kRegions, i + 1, "ward " + ward.code + " is already in " + ward.region);
      }
      ward.region = f[1];
    }
  }

  constexpr std::string_view kBounds = "bounds.csv";
  auto bounds = ParseSimpleCsv(bounds_csv, kBounds, 5);
  if (!bounds.ok()) return bounds.status();
  bool found = false;
  for (size_t i = 1; i < bounds->size(); ++i) {
    const auto& f = (*bounds)[i];
    if (f[0] != g.province_) continue;
    Bounds b{};
    if (!ToDouble(f[1], b.min_latitude) || !ToDouble(f[2], b.max_latitude) ||
        !ToDouble(f[3], b.min_longitude) || !ToDouble(f[4], b.max_longitude) ||
        b.min_latitude >= b.max_latitude || b.min_longitude >= b.max_longitude) {
      return LineError(kBounds, i + 1, "bounds must be numbers with min below max");
    }
    g.bounds_ = b;
    found = true;
  }
  if (!found) return InvalidArgumentError(std::string(kBounds) + ": no bounds for " + g.province_);
  return g;
}

const Ward* Geography::FindWard(std::string_view code) const {
  auto it = wards_.find(code);
  return it == wards_.end() ? nullptr : &it->second;
}

const Municipality* Geography::FindMunicipality(std::string_view code) const {
  auto it = municipalities_.find(code);
  return it == municipalities_.end() ? nullptr : &it->second;
}

std::vector<std::string> Geography::MunicipalitiesWithin(std::string_view code) const {
  std::vector<std::string> out;
  for (const auto& [c, m] : municipalities_) {
    if (m.ward_prefix.empty()) continue;
    const Municipality* parent = FindMunicipality(m.parent);
    if (code.empty() || c == code || m.parent == code || (parent != nullptr && parent->parent == code)) {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<const Ward*> Geography::WardsOf(std::string_view municipality,
                                            std::string_view region) const {
  std::vector<const Ward*> out;
  for (const auto& [code, w] : wards_) {
    if (w.municipality_code == municipality && (region.empty() || w.region == region)) {
      out.push_back(&w);
    }
  }
  return out;
}

}  // namespace warroom
