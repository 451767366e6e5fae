#include <langevin/device_buffer.hpp>

namespace langevin {

Array DeviceArray::to_host() const {
  Array host(shape);
  buffer.download(host.data(), static_cast<std::size_t>(host.size()), stream);
  return host;
}

}  // namespace langevin
