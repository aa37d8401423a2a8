#include "harness/Registries.hpp"

namespace mlffb {

std::vector<ListingSection> registrySections() {
  return {{"models", {}}, {"engines", {}}, {"collectors", {}}};
}

}  // namespace mlffb
