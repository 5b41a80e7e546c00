#include "connectors/kizen/response_parser.hpp"

#include "common/enum_names.hpp"
#include "connectors/kizen/json_reader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace ks::kizen {

namespace json = boost::json;

const char* to_string(upsert_action a) {
  static constexpr const char* names[] = {"created", "updated", "unarchived"};  // in the enum's order
  return enum_name(a, names, "updated");
}

namespace {

using detail::kind_name;
using detail::quote;
using detail::reader;

// Deep enough for any record; shallow enough that a hostile body cannot exhaust the stack.
constexpr std::size_t max_json_depth = 64;
constexpr std::size_t max_quoted = 300;

bool read_timestamp(reader& r, const std::string& path, const std::string& text, std::optional<timestamp>& out) {
  auto t = parse_timestamp(text);
  if (!t) return r.fail(path, "'" + quote(text) + "' is not an ISO-8601 timestamp");
  out = *t;
  return true;
}

bool read_record(reader& r, const json::value& v, const std::string& path, record& out) {
  const auto* o = r.object(v, path);
  if (!o) return false;
  if (!r.string(*o, "id", path, out.id, true)) return false;
  if (!r.opt_string(*o, "object_type", path, out.object_type)) return false;
  const auto* fields_v = o->if_contains("fields");
  const std::string fields_path = reader::member(path, "fields");
  if (!fields_v) return r.fail(fields_path, "missing");
  const auto* fields = r.object(*fields_v, fields_path);
  if (!fields) return false;
  out.fields.reserve(fields->size());
  for (const auto& kv : *fields) {
    const std::string fp = reader::keyed(fields_path, kv.key());
    const auto* f = r.object(kv.value(), fp);
    if (!f) return false;
    record_field field;
    field.id = std::string(kv.key());
    if (!r.opt_string(*f, "id", fp, field.id)) return false;
    if (!r.opt_string(*f, "name", fp, field.name)) return false;
    if (!r.opt_string(*f, "display_name", fp, field.display_name)) return false;
    if (!r.opt_string(*f, "field_type", fp, field.field_type)) return false;
    if (const auto* value = f->if_contains("value")) {
      if (!r.finite(*value, reader::member(fp, "value"))) return false;
      field.value = *value;
    }
    if (const auto* summary = f->if_contains("value_summary"); summary && !summary->is_null()) {
      const std::string sp = reader::member(fp, "value_summary");
      const auto* so = r.object(*summary, sp);
      if (!so) return false;
      const auto* c = so->if_contains("count");
      if (!c) return r.fail(reader::member(sp, "count"), "missing");
      std::int64_t n = 0;
      if (!r.count(*c, reader::member(sp, "count"), n)) return false;
      field.summary_count = n;
    }
    out.fields.push_back(std::move(field));
  }
  // Timestamps: top level first, else the built-in fields of the same name.
  for (auto [key, text, parsed] : {std::tuple{"created", &out.created_text, &out.created},
                                   std::tuple{"updated", &out.updated_text, &out.updated}}) {
    if (!r.opt_string(*o, key, path, *text)) return false;
    std::string where = reader::member(path, key);
    if (!*text) {
      if (const auto* f = out.field(key); f && !f->value.is_null()) {
        where = reader::member(reader::keyed(fields_path, f->id), "value");
        if (!f->value.is_string())
          return r.fail(where, std::string("expected a timestamp string, got ") + kind_name(f->value));
        *text = std::string(f->value.get_string());
      }
    }
    if (*text && !read_timestamp(r, where, **text, *parsed)) return false;
  }
  return true;
}

template <class T, class ReadItem>
bool read_page(reader& r, const json::value& v, page<T>& out, ReadItem&& read_item, bool bare_array_allowed) {
  if (bare_array_allowed && v.is_array()) {
    const auto& a = v.get_array();
    out.count = static_cast<std::int64_t>(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      T item;
      if (!read_item(r, a[i], reader::index("", i), item)) return false;
      out.results.push_back(std::move(item));
    }
    return true;
  }
  const auto* o = r.object(v, "");
  if (!o) return false;
  const auto* count = o->if_contains("count");
  if (!count) return r.fail("count", "missing");
  if (!r.count(*count, "count", out.count)) return false;
  if (!r.opt_string(*o, "next", "", out.next)) return false;
  if (!r.opt_string(*o, "previous", "", out.previous)) return false;
  if (out.next && out.next->empty()) out.next.reset();
  const auto* results_v = o->if_contains("results");
  if (!results_v) return r.fail("results", "missing");
  const auto* results = r.array(*results_v, "results");
  if (!results) return false;
  out.results.reserve(results->size());
  for (std::size_t i = 0; i < results->size(); ++i) {
    T item;
    if (!read_item(r, (*results)[i], reader::index("results", i), item)) return false;
    out.results.push_back(std::move(item));
  }
  if (const auto* errors = o->if_contains("errors"); errors && !errors->is_null()) {
    const auto* a = r.array(*errors, "errors");
    if (!a) return false;
    for (const auto& e : *a) out.errors.push_back(e.is_string() ? std::string(e.get_string()) : json::serialize(e));
  }
  return true;
}

bool read_related_value(reader& r, const json::value& v, const std::string& path, related_value& out) {
  const auto* o = r.object(v, path);
  if (!o) return false;
  return r.string(*o, "id", path, out.id, true) && r.opt_string(*o, "name", path, out.name) &&
         r.opt_string(*o, "display_name", path, out.display_name) && r.opt_string(*o, "email", path, out.email) &&
         r.opt_string(*o, "first_name", path, out.first_name) && r.opt_string(*o, "last_name", path, out.last_name) &&
         r.opt_string(*o, "full_name", path, out.full_name);
}

bool read_object_info(reader& r, const json::value& v, const std::string& path, object_info& out) {
  const auto* o = r.object(v, path);
  if (!o) return false;
  return r.string(*o, "id", path, out.id, true) && r.string(*o, "name", path, out.name, true) &&
         r.opt_string(*o, "display_name", path, out.display_name);
}

bool read_field_info(reader& r, const json::value& v, const std::string& path, field_info& out) {
  const auto* o = r.object(v, path);
  if (!o) return false;
  if (!(r.string(*o, "id", path, out.id, true) && r.string(*o, "name", path, out.name, true) &&
        r.opt_string(*o, "display_name", path, out.display_name) &&
        r.string(*o, "field_type", path, out.field_type, true)))
    return false;
  if (const auto* d = o->if_contains("is_default"); d && !d->is_null()) {
    if (!d->is_bool())
      return r.fail(reader::member(path, "is_default"), std::string("expected boolean, got ") + kind_name(*d));
    out.is_default = d->get_bool();
  }
  if (const auto* opts = o->if_contains("options"); opts && !opts->is_null()) {
    const std::string op = reader::member(path, "options");
    const auto* a = r.array(*opts, op);
    if (!a) return false;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string ip = reader::index(op, i);
      const auto* io = r.object((*a)[i], ip);
      if (!io) return false;
      field_option opt;
      if (!r.string(*io, "id", ip, opt.id, true) || !r.string(*io, "name", ip, opt.name)) return false;
      out.options.push_back(std::move(opt));
    }
  }
  if (const auto* rel = o->if_contains("relation"); rel && !rel->is_null()) {
    const std::string rp = reader::member(path, "relation");
    const auto* ro = r.object(*rel, rp);
    if (!ro) return false;
    field_relation relation;
    if (const auto* target = ro->if_contains("related_object"); target && !target->is_null()) {
      const std::string tp = reader::member(rp, "related_object");
      const auto* to = r.object(*target, tp);
      if (!to) return false;
      if (!r.opt_string(*to, "id", tp, relation.related_object_id) ||
          !r.opt_string(*to, "name", tp, relation.related_object_name))
        return false;
    }
    if (!r.opt_string(*ro, "cardinality", rp, relation.cardinality)) return false;
    out.relation = std::move(relation);
  }
  return true;
}

template <class T, class Read>
response_parser::parsed<T> run(std::string_view body, std::string_view what, Read&& read) {
  auto v = response_parser::parse_json(body, what);
  if (!v) return fail(std::move(v).error());
  reader r(what);
  T out;
  if (!read(r, *v, out)) return fail(r.error());
  return out;
}

void append_messages(const json::value& v, const std::string& prefix, std::vector<std::string>& out) {
  const auto label = [&](const std::string& text) { return prefix.empty() ? text : prefix + ": " + text; };
  switch (v.kind()) {
    case json::kind::string: out.push_back(label(std::string(v.get_string()))); break;
    case json::kind::array:
      for (const auto& item : v.get_array()) append_messages(item, prefix, out);
      break;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        const std::string key = quote(kv.key(), 80, true);
        append_messages(kv.value(), prefix.empty() ? key : prefix + "." + key, out);
      }
      break;
    case json::kind::null: break;
    default: out.push_back(label(json::serialize(v)));
  }
}

}  // namespace

response_parser::parsed<json::value> response_parser::parse_json(std::string_view body, std::string_view what) {
  const std::string w(what);
  if (body.empty()) return fail(w + ": empty body, expected JSON");
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  json::stream_parser p({}, opts);
  boost::system::error_code ec;
  const std::size_t used = p.write_some(body.data(), body.size(), ec);
  if (ec) {
    const auto at = std::to_string(used);
    if (ec == json::error::too_deep)
      return fail(w + ": JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
    if (used < body.size() && static_cast<unsigned char>(body[used]) >= 0x80)
      return fail(w + ": invalid UTF-8 at byte " + at);
    return fail(w + ": invalid JSON at byte " + at + " (" + ec.message() + ")");
  }
  if (used < body.size()) return fail(w + ": unexpected data after the JSON value at byte " + std::to_string(used));
  p.finish(ec);
  if (ec) return fail(w + ": truncated JSON (" + ec.message() + " after " + std::to_string(body.size()) + " bytes)");
  return p.release();
}

response_parser::parsed<record> response_parser::parse_record(std::string_view body) {
  return run<record>(body, "record",
                     [](reader& r, const json::value& v, record& out) { return read_record(r, v, "", out); });
}

response_parser::parsed<page<record>> response_parser::parse_record_page(std::string_view body) {
  return run<page<record>>(body, "search page", [](reader& r, const json::value& v, page<record>& out) {
    return read_page(r, v, out, read_record, false);
  });
}

response_parser::parsed<upsert_result> response_parser::parse_upsert(std::string_view body, int http_status) {
  return run<upsert_result>(body, "upsert result", [http_status](reader& r, const json::value& v, upsert_result& out) {
    if (!read_record(r, v, "", out.rec)) return false;
    // "action" is required by the contract; should it be missing, the status still says
    // whether a record was created (201) or not (200).
    std::string action;
    if (!r.opt_string(v.get_object(), "action", "", action)) return false;
    if (action.empty()) action = http_status == 201 ? "created" : "updated";
    if (action == "created") {
      out.action = upsert_action::created;
    } else if (action == "updated") {
      out.action = upsert_action::updated;
    } else if (action == "unarchived") {
      out.action = upsert_action::unarchived;
    } else {
      return r.fail("action", "'" + quote(action) + "' is not one of created, updated, unarchived");
    }
    out.created = out.action == upsert_action::created;
    return true;
  });
}

response_parser::parsed<page<related_value>> response_parser::parse_field_values_page(std::string_view body) {
  return run<page<related_value>>(body, "field-values page",
                                  [](reader& r, const json::value& v, page<related_value>& out) {
                                    return read_page(r, v, out, read_related_value, false);
                                  });
}

response_parser::parsed<page<object_info>> response_parser::parse_objects_page(std::string_view body) {
  return run<page<object_info>>(body, "objects page", [](reader& r, const json::value& v, page<object_info>& out) {
    return read_page(r, v, out, read_object_info, true);
  });
}

response_parser::parsed<page<field_info>> response_parser::parse_fields_page(std::string_view body) {
  return run<page<field_info>>(body, "fields page", [](reader& r, const json::value& v, page<field_info>& out) {
    return read_page(r, v, out, read_field_info, true);
  });
}

std::string response_parser::describe_error_body(std::string_view body) {
  std::size_t start = 0;
  while (start < body.size() &&
         (body[start] == ' ' || body[start] == '\n' || body[start] == '\r' || body[start] == '\t'))
    ++start;
  if (start == body.size()) return {};
  auto v = parse_json(body, "error body");
  if (!v) {
    // Not JSON (an HTML error page from a proxy, say): one line, whitespace runs collapsed.
    std::string flat;
    for (std::size_t i = start; i < body.size() && flat.size() <= max_quoted; ++i) {
      const char c = body[i];
      const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
      if (space) {
        if (!flat.empty() && flat.back() != ' ') flat += ' ';
      } else {
        flat += c;
      }
    }
    while (!flat.empty() && flat.back() == ' ') flat.pop_back();
    return "\"" + quote(flat, max_quoted) + "\"";
  }
  std::vector<std::string> messages;
  if (const auto* o = v->if_object()) {
    // DRF: {"detail": "..."}; Kizen: {"code": "..."}; ErrorResponse: non_field_errors + a
    // positional "fields" list (one entry per written field, empty for the valid ones);
    // otherwise {"field": ["message", ...], ...}.
    if (const auto* d = o->if_contains("detail")) append_messages(*d, "", messages);
    if (const auto* c = o->if_contains("code")) append_messages(*c, "code", messages);
    if (const auto* m = o->if_contains("message")) append_messages(*m, "", messages);
    if (const auto* n = o->if_contains("non_field_errors")) append_messages(*n, "", messages);
    const auto* fields = o->if_contains("fields");
    if (fields && fields->is_array()) {
      const auto& a = fields->get_array();
      for (std::size_t i = 0; i < a.size(); ++i) append_messages(a[i], "fields[" + std::to_string(i) + "]", messages);
    }
    for (const auto& kv : *o) {
      const auto key = kv.key();
      if (key == "detail" || key == "code" || key == "message" || key == "non_field_errors" ||
          (key == "fields" && fields->is_array()))
        continue;
      append_messages(kv.value(), std::string(key), messages);
    }
  } else {
    append_messages(*v, "", messages);
  }
  std::string out;
  for (const auto& m : messages) {
    if (!out.empty()) out += "; ";
    out += m;
    if (out.size() > 1000) {
      out = out.substr(0, 1000) + "...";
      break;
    }
  }
  // Server text goes into logs and the outbox: keep it printable.
  return quote(out, 1100, true);
}

}  // namespace ks::kizen
