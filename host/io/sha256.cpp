// SHA-256 of a file with OpenSSL's libcrypto (EVP interface), when the build found it
// (LANGEVIN_HAVE_OPENSSL, set by host/CMakeLists.txt for this file only).

#include <langevin/error.hpp>
#include <langevin/io.hpp>

#include "io/atomic_file.hpp"

#if LANGEVIN_HAVE_OPENSSL
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>
#endif

namespace langevin {

#if LANGEVIN_HAVE_OPENSSL

bool sha256_available() { return true; }

std::string file_sha256(const std::string& path) {
  detail::InputFile file(path);
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                        EVP_MD_CTX_free);
  const auto require = [&path](int status) {
    if (status != 1) throw Error("cannot compute the SHA-256 of " + path + ": OpenSSL failed");
  };
  require(context != nullptr);
  require(EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr));
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  std::vector<unsigned char> buffer(kChunk);
  while (file.remaining() > 0) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, file.remaining()));
    file.read(buffer.data(), n, "its contents");
    require(EVP_DigestUpdate(context.get(), buffer.data(), n));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  require(EVP_DigestFinal_ex(context.get(), digest, &digest_bytes));

  constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < digest_bytes; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

#else

bool sha256_available() { return false; }

std::string file_sha256(const std::string& path) {
  throw Error("cannot compute the SHA-256 of " + path +
              ": this build of langevin has no OpenSSL (install libssl-dev and rebuild)");
}

#endif

}  // namespace langevin
