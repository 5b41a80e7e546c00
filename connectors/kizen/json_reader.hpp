#pragma once
// The JSON reading vocabulary of response_parser: a reader that walks a parsed body, checks each
// member's kind and keeps the first problem with its path ("search page: results[3].fields:
// expected object"), and bounded quoting of untrusted text for messages. Internal to the parser.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace ks::kizen::detail {

// Bounded text for messages. Control bytes become '?'; so do all non-ASCII bytes unless the
// text is known to be UTF-8 (it came out of the JSON parser), in which case it is kept and
// never cut inside a character.
std::string quote(std::string_view s, std::size_t limit = 80, bool utf8 = false);

// "an object", "a string", ... for messages.
const char* kind_name(const boost::json::value& v);

// Collects the first problem met, with its path inside the body.
class reader {
 public:
  explicit reader(std::string_view what) : what_(what) {}

  bool fail(const std::string& path, std::string_view problem) {
    if (!error_) {
      error_ = std::string(what_);
      if (!path.empty()) *error_ += ": " + path;
      *error_ += ": ";
      *error_ += problem;
    }
    return false;
  }
  bool failed() const { return error_.has_value(); }
  const std::string& error() const { return *error_; }

  static std::string member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
  static std::string keyed(const std::string& path, std::string_view key) { return path + "[\"" + quote(key) + "\"]"; }

  const boost::json::object* object(const boost::json::value& v, const std::string& path) {
    if (const auto* o = v.if_object()) return o;
    fail(path, std::string("expected object, got ") + kind_name(v));
    return nullptr;
  }
  const boost::json::array* array(const boost::json::value& v, const std::string& path) {
    if (const auto* a = v.if_array()) return a;
    fail(path, std::string("expected array, got ") + kind_name(v));
    return nullptr;
  }

  // A required string member.
  bool string(const boost::json::object& o, std::string_view key, const std::string& path, std::string& out,
              bool non_empty = false) {
    const auto* v = o.if_contains(key);
    if (!v) return fail(member(path, key), "missing");
    if (!v->is_string()) return fail(member(path, key), std::string("expected string, got ") + kind_name(*v));
    out = std::string(v->get_string());
    if (non_empty && out.empty()) return fail(member(path, key), "must not be empty");
    return true;
  }
  // An optional string member: absent or null leaves `out` alone.
  bool opt_string(const boost::json::object& o, std::string_view key, const std::string& path, std::string& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) return fail(member(path, key), std::string("expected string, got ") + kind_name(*v));
    out = std::string(v->get_string());
    return true;
  }
  bool opt_string(const boost::json::object& o, std::string_view key, const std::string& path,
                  std::optional<std::string>& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) return fail(member(path, key), std::string("expected string, got ") + kind_name(*v));
    out = std::string(v->get_string());
    return true;
  }
  // A non-negative integer that fits std::int64_t.
  bool count(const boost::json::value& v, const std::string& path, std::int64_t& out) {
    if (v.is_int64()) {
      if (v.get_int64() < 0) return fail(path, "must not be negative");
      out = v.get_int64();
      return true;
    }
    if (v.is_uint64()) {
      if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(path, "number out of range");
      out = static_cast<std::int64_t>(v.get_uint64());
      return true;
    }
    if (v.is_double()) return fail(path, "expected an integer, got " + quote(boost::json::serialize(v)));
    return fail(path, std::string("expected integer, got ") + kind_name(v));
  }
  // Field values are passed on as they are, but must not hold numbers JSON cannot carry
  // (1e999 parses as infinity and would serialize as invalid JSON later).
  bool finite(const boost::json::value& v, const std::string& path) {
    switch (v.kind()) {
      case boost::json::kind::double_:
        if (!std::isfinite(v.get_double())) return fail(path, "number out of range");
        return true;
      case boost::json::kind::array: {
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i)
          if (!finite(a[i], index(path, i))) return false;
        return true;
      }
      case boost::json::kind::object:
        for (const auto& kv : v.get_object())
          if (!finite(kv.value(), keyed(path, kv.key()))) return false;
        return true;
      default: return true;
    }
  }

 private:
  std::string_view what_;
  std::optional<std::string> error_;
};

}  // namespace ks::kizen::detail
