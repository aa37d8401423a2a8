// InputIdentity: SHA-256 digests of a plan's input files and folders (see InputIdentity.hpp).
#include "harness/InputIdentity.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "harness/OptionCatalog.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

/// One SHA-256 computation through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256: OpenSSL failed to start");
  }
  void add(const char* data, std::size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), data, n) != 1) throw std::runtime_error("SHA-256: OpenSSL failed");
  }
  void add(const std::string& s) { add(s.data(), s.size()); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &n) != 1) throw std::runtime_error("SHA-256: OpenSSL failed to finish");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) out += {digits[md[i] >> 4], digits[md[i] & 15]};
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

/// The inputs a point reads: its structure file, and its declared input options' values.
void addInputsOf(const Point& p, Json& out) {
  if (p.system.isFile() && !out.contains(p.system.path)) out[p.system.path] = sha256OfFile(p.system.path, kStructureInput);
  for (const OptionValues* values : {&p.modelOptions, &p.engineOptions})
    for (const auto& [key, value] : *values) {
      const CatalogOption* c = findOption(key);
      if (!c || !c->spec.input || out.contains(value)) continue;
      if (std::find(c->spec.choices.begin(), c->spec.choices.end(), value) != c->spec.choices.end()) continue;  // a word (random)
      out[value] = fs::is_directory(value) ? sha256OfFolder(value) : sha256OfFile(value, kModelInput);
    }
}

}  // namespace

std::string sha256OfFile(const std::string& path, const InputKind& kind) {
  InputFile in(path, kind);
  Sha256 sha;
  char buffer[1 << 16];
  while (const std::size_t got = in.read(buffer, sizeof buffer)) sha.add(buffer, got);
  return sha.hex();
}

std::string sha256OfFolder(const std::string& dir) {
  std::vector<std::string> names;
  try {
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) names.push_back(fs::relative(e.path(), dir).generic_string());
  } catch (const fs::filesystem_error& e) {
    throw std::runtime_error(dir + ": cannot list the folder (" + e.code().message() + ")");
  }
  std::sort(names.begin(), names.end());
  Sha256 sha;
  for (const auto& n : names) sha.add(n + '\0' + sha256OfFile((fs::path(dir) / n).string(), kModelInput) + '\n');
  return sha.hex();
}

Json inputDigests(const std::vector<Point>& points) {
  Json out = Json::object();
  for (const auto& p : points)
    if (p.skipReason.empty()) addInputsOf(p, out);
  return out;
}

}  // namespace mlffb
