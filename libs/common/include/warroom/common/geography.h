// Gauteng's geography as loaded from data/geography: the province, metros, districts, local
// municipalities, metro regions and every ward with its 8-digit Demarcation Board code.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "warroom/common/status.h"

namespace warroom {

enum class MunicipalityKind { kProvince, kMetro, kDistrict, kLocal };

struct Municipality {
  std::string code;  // JHB, DC42, GT421, GT
  std::string name;
  MunicipalityKind kind = MunicipalityKind::kLocal;
  std::string parent;       // the district of a local, the province of a metro or district
  std::string ward_prefix;  // 798, 74201
  int wards = 0;
};

struct Ward {
  std::string code;               // 79800001
  std::string municipality_code;  // JHB, GT421
  int number = 0;
  std::string region;    // metros only: "Region A"
  std::string district;  // the district (or the metro itself) above it
};

struct Bounds {
  double min_latitude, max_latitude, min_longitude, max_longitude;
  bool Contains(double lat, double lon) const {
    return lat >= min_latitude && lat <= max_latitude && lon >= min_longitude && lon <= max_longitude;
  }
};

class Geography {
 public:
  // Loads the three files of data/geography from dir. Errors name the file, line and reason.
  static StatusOr<Geography> LoadDir(const std::string& dir);
  static StatusOr<Geography> Load(std::string_view municipalities_csv, std::string_view regions_csv,
                                  std::string_view bounds_csv);

  const Ward* FindWard(std::string_view code) const;
  const Municipality* FindMunicipality(std::string_view code) const;
  const std::string& province() const { return province_; }
  const Bounds& bounds() const { return bounds_; }
  const std::map<std::string, Ward, std::less<>>& wards() const { return wards_; }
  const std::map<std::string, Municipality, std::less<>>& municipalities() const {
    return municipalities_;
  }
  // Wards of a municipality (or of a metro region when region is given), in order.
  std::vector<const Ward*> WardsOf(std::string_view municipality, std::string_view region = {}) const;
  // The municipalities that hold wards at or under code, in order: a metro or local itself, a
  // district's locals, every one for the province or an empty code; none for an unknown code.
  std::vector<std::string> MunicipalitiesWithin(std::string_view code = {}) const;

 private:
  std::string province_;
  Bounds bounds_{};
  std::map<std::string, Municipality, std::less<>> municipalities_;
  std::map<std::string, Ward, std::less<>> wards_;
};

// Splits CSV text into rows of fields (no quoting needed by our data; quotes are refused).
StatusOr<std::vector<std::vector<std::string>>> ParseSimpleCsv(std::string_view text,
                                                               std::string_view file,
                                                               size_t columns);

}  // namespace warroom
