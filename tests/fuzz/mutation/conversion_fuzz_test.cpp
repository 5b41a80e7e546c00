// Random values through the value conversions both ways and through write planning: every
// outcome is a value or a readable error, never a crash or an exception.
#include "daemon/engine/inbound/translated_record.hpp"
#include "daemon/engine/mapping/value_codec.hpp"
#include "daemon/engine/outbound/write_plan.hpp"
#include "mutator.hpp"

#include <gtest/gtest.h>

using namespace ks::engine;
using ks::key_ref;

namespace {

struct fixture {
  ks::config::object_mapping mapping;
  object_binding binding;
  fixture() {
    mapping.object = "client_client";
    mapping.table = "t";
    mapping.key = "id";
    const std::vector<std::pair<std::string, std::string>> types = {
        {"text", "text"},        {"int", "integer"},      {"dec", "money"},     {"flag", "checkbox"},
        {"day", "date"},         {"at", "datetime"},      {"pick", "dropdown"}, {"tags", "dynamictags"},
        {"ref", "relationship"}, {"refs", "relationship"}};
    std::vector<kizen_field> fields;
    int n = 0;
    for (const auto& [column, type] : types) {
      ks::config::field_mapping f;
      f.column = column;
      f.field = column;
      if (type == "relationship") f.references = "companies";
      if (column == "refs" || column == "tags") f.multi = true;
      mapping.fields.push_back(f);
      kizen_field k{"f0000000-0000-4000-8000-00000000000" + std::to_string(n++), column,       type,        false,
                    {{"b0000000-0000-4000-8000-000000000001", "Customer"}},      std::nullopt, std::nullopt};
      if (type == "relationship") k.related_object = "companies";
      fields.push_back(k);
    }
    auto r = bind_object(mapping, "x", fields);
    if (!r)
      ADD_FAILURE() << r.error().front().to_string();
    else
      binding = std::move(*r);
  }
};

}  // namespace

TEST(conversion_fuzz, random_column_values_convert_or_fail_readably) {
  fixture fx;
  ks::fuzz::mutator m(7);
  for (int i = 0, n = ks::fuzz::iterations(20000); i < n; ++i) {
    const auto& f = fx.binding.fields[m.next(fx.binding.fields.size())];
    const auto v = m.random_json();
    if (is_multi_value(f.kind) || f.mapping->references) {
      ASSERT_NO_THROW((void)multi_value_items(v));
      ASSERT_NO_THROW((void)key_text(v));
    } else {
      ks::result<boost::json::value, std::string> r = ks::fail(std::string());
      ASSERT_NO_THROW(r = to_kizen_value(f, v));
      if (!r) {
        EXPECT_FALSE(r.error().empty());
      }
    }
  }
}

TEST(conversion_fuzz, random_row_images_plan_or_fail_readably) {
  fixture fx;
  ks::fuzz::mutator m(11);
  const kizen_id_lookup lookup = [&](const key_ref& r) -> std::optional<std::string> {
    if (r.key.size() % 2) return std::nullopt;
    return "0f8fad5b-d9cb-469f-a165-70867728950e";
  };
  for (int i = 0, n = ks::fuzz::iterations(5000); i < n; ++i) {
    merged_change c;
    for (const auto& f : fx.binding.fields) {
      if (m.next(3)) c.after[f.mapping->column] = m.random_json();
      if (m.next(3)) c.before[f.mapping->column] = m.random_json();
      if (m.next(2)) c.changed_columns.insert(f.mapping->column);
    }
    const bool full = m.next(2) == 1;
    ASSERT_NO_THROW((void)references_needed(fx.binding, c, full));
    ks::result<write_plan, plan_error> r = ks::fail(plan_error{});
    ASSERT_NO_THROW(r = plan_writes(fx.binding, c, full, lookup));
    if (!r) {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(conversion_fuzz, random_kizen_records_translate_or_name_the_field) {
  fixture fx;
  ks::fuzz::mutator m(13);
  const row_key_lookup lookup = [](const record_reference& r) -> std::optional<std::string> {
    if (r.entity_id.back() == 'e') return "7";
    return std::nullopt;
  };
  for (int i = 0, n = ks::fuzz::iterations(20000); i < n; ++i) {
    ks::kizen::record rec;
    rec.id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    for (const auto& f : fx.binding.fields) {
      if (m.next(4) == 0) continue;  // blank fields are left out
      rec.fields.push_back({f.field.id, f.field.name, f.field.name, f.field.type, m.random_json(), std::nullopt});
    }
    translated_record t;
    ASSERT_NO_THROW(t = translate_record(fx.binding, rec, lookup));
    for (const auto& p : t.problems) EXPECT_NE(p.find("field '"), std::string::npos) << p;
  }
}
