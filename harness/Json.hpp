#pragma once
// Reports keep their keys in the order written (schema_version first).
#include <nlohmann/json.hpp>

namespace mlffb {
using Json = nlohmann::ordered_json;
}
