#include "config/secret_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ks::config {

namespace {

// An API key is tiny; anything this large is the wrong file.
constexpr std::size_t max_secret_bytes = 64 * 1024;

}  // namespace

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).string();
}

ks::result<void, std::string> check_readable_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return ks::fail(ec.message());
  if (std::filesystem::is_directory(status)) return ks::fail(std::string("it is a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return ks::fail(std::string(std::strerror(errno)));
  return ks::ok;
}

ks::result<std::string, std::string> read_secret_file(const std::string& path) {
  if (auto readable = check_readable_file(path); !readable) return ks::fail(readable.error());
  std::ifstream in(path, std::ios::binary);
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_secret_bytes) {
      return ks::fail(std::string("it is larger than 64 KiB; expected just the key"));
    }
  }
  if (in.bad()) return ks::fail(std::string("read error"));
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::size_t b = 0, e = content.size();
  while (b < e && is_space(content[b])) ++b;
  while (e > b && is_space(content[e - 1])) --e;
  if (b == e) return ks::fail(std::string("it is empty"));
  return content.substr(b, e - b);
}

}  // namespace ks::config
