#include "daemon/engine/mapping/object_bindings.hpp"

namespace ks::engine {

namespace {

std::string place(const config::source_location& where) {
  std::string out = where.file.empty() ? std::string("config") : where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  return out;
}

}  // namespace

kizen_field to_kizen_field(const kizen::field_info& info) {
  kizen_field f;
  f.id = info.id;
  f.name = info.name;
  f.type = info.field_type;
  f.is_default = info.is_default;
  for (const auto& o : info.options) f.options.push_back({o.id, o.name});
  if (info.relation) {
    if (!info.relation->related_object_name.empty()) f.related_object = info.relation->related_object_name;
    const auto& c = info.relation->cardinality;
    if (c == "many_to_many" || c == "one_to_many") f.to_many = true;
    if (c == "many_to_one" || c == "one_to_one") f.to_many = false;
  }
  return f;
}

boost::asio::awaitable<ks::result<object_bindings, schema_error>> bind_to_kizen(kizen::client& client,
                                                                                const config::config& cfg) {
  auto objects = co_await client.list_objects();
  if (!objects)
    co_return ks::fail(
        schema_error{objects.error().retryable, {"cannot read Kizen's object list: " + objects.error().message}});
  schema_error problems;
  object_bindings bindings;
  for (const auto& mapping : cfg.objects) {
    const kizen::object_info* info = nullptr;
    for (const auto& o : *objects)
      if (o.name == mapping.object) info = &o;
    if (info == nullptr) {
      std::string known;
      for (const auto& o : *objects) known += (known.empty() ? "" : ", ") + o.name;
      problems.problems.push_back(place(mapping.where) + ": object '" + mapping.object +
                                  "' does not exist in Kizen (objects there: " + known + ")");
      continue;
    }
    auto fields = co_await client.list_fields(info->id);
    if (!fields) {
      problems.retryable = problems.retryable || fields.error().retryable;
      problems.problems.push_back("cannot read the fields of Kizen object '" + mapping.object +
                                  "': " + fields.error().message);
      continue;
    }
    std::vector<kizen_field> kizen_fields;
    for (const auto& f : *fields) kizen_fields.push_back(to_kizen_field(f));
    auto bound = bind_object(mapping, info->id, kizen_fields);
    if (!bound) {
      for (const auto& p : bound.error()) problems.problems.push_back(p.to_string());
      continue;
    }
    bindings.emplace(mapping.object, std::move(*bound));
  }
  if (!problems.problems.empty()) co_return ks::fail(std::move(problems));
  co_return bindings;
}

}  // namespace ks::engine
