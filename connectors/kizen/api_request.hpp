#pragma once
// One Kizen API call as request_builder produces it and http_pool sends it.

#include <optional>
#include <string>

namespace ks::kizen {

enum class http_method { get, post, put, patch, delete_ };

const char* to_string(http_method m);

struct api_request {
  http_method method = http_method::get;
  std::string target;               // encoded path and query, e.g. "/api/records/x/search?page=2"
  std::string path_template;        // for logs and error messages: "/api/records/{object}/search"
  std::optional<std::string> body;  // JSON text; nullopt for calls without a body
};

}  // namespace ks::kizen
