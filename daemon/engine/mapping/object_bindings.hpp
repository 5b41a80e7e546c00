#pragma once
// Reads Kizen's field metadata (objects, then each mapped object's fields) and binds every object
// mapping of the config to it. A mapped object or field Kizen does not have is a clear startup
// error naming the config place, so schema drift stops the daemon before any data moves.

#include "common/result.hpp"
#include "config/config.hpp"
#include "connectors/kizen/client.hpp"
#include "daemon/engine/mapping/field_binding.hpp"

#include <boost/asio/awaitable.hpp>
#include <map>
#include <string>
#include <vector>

namespace ks::engine {

struct schema_error {
  bool retryable = false;             // Kizen could not be reached: try again later
  std::vector<std::string> problems;  // "file:line:col: ..." each
};

// Object API name → binding. The bindings point into `cfg`, which must outlive them.
using object_bindings = std::map<std::string, object_binding>;

boost::asio::awaitable<ks::result<object_bindings, schema_error>> bind_to_kizen(kizen::client& client,
                                                                                const config::config& cfg);

// The engine's view of a Kizen field's metadata.
kizen_field to_kizen_field(const kizen::field_info& info);

}  // namespace ks::engine
