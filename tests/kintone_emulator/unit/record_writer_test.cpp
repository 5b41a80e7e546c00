// Adds, updates, upserts and deletes through the record writer: revisions, uniqueness,
// required fields, all-or-nothing batches, system fields.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/record_writer.hpp"
#include "src/time_format.hpp"
#include "unit_support.hpp"

namespace kintone_emulator {
namespace {

namespace json = boost::json;

class kintone_writer : public ::testing::Test {
 protected:
  record_writer writer(bool admin = false, const char* at = "2025-01-01T10:20:30Z") {
    writer_identity who{{"Administrator", "Administrator"}, admin, errors::token_cannot()};
    return record_writer(store_, test::customers(), *parse_datetime(at), who);
  }
  static json::value rec(const char* text) { return json::parse(text); }
  write_result add(std::vector<json::value> records, bool bulk = true) { return writer().add(records, bulk); }
  static update_item by_id(std::int64_t id, const char* record, std::optional<std::int64_t> revision = std::nullopt) {
    update_item u;
    u.id = id;
    u.record = json::parse(record);
    u.revision = revision;
    return u;
  }
  static std::vector<std::string> keys(const api_error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.errors) out.push_back(f.key);
    return out;
  }
  const stored_record& at(std::int64_t id) { return *store_.find(1, id); }

  store store_{test::default_schema()};
};

TEST_F(kintone_writer, add_gives_ids_in_request_order_revision_1_and_minute_times) {
  auto done = add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"}})"),
                   rec(R"({"customer_code":{"value":"B"},"name":{"value":"b"},"nonexistent":{"value":"x"}})")});
  ASSERT_TRUE(done);
  ASSERT_EQ(done->size(), 2u);
  EXPECT_EQ((*done)[0].id, 1);
  EXPECT_EQ((*done)[1].id, 2);
  EXPECT_EQ((*done)[1].revision, 1);
  EXPECT_EQ(at(2).values.at("customer_code"), "B");
  EXPECT_FALSE(at(2).values.contains("nonexistent"));  // unknown codes are ignored
  EXPECT_EQ(format_datetime(at(1).created_ms), "2025-01-01T10:20:00Z");
  EXPECT_EQ(at(1).values.at("tier"), "bronze");  // the schema's default
}

TEST_F(kintone_writer, every_update_raises_the_revision_by_one_and_checks_it) {
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"}})")}));
  auto w = writer(false, "2025-01-02T00:00:59Z");
  auto first = w.update({by_id(1, R"({"name":{"value":"b"}})", 1)}, false, false);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->front().revision, 2);
  EXPECT_EQ(format_datetime(at(1).updated_ms), "2025-01-02T00:00:00Z");
  EXPECT_EQ(format_datetime(at(1).created_ms), "2025-01-01T10:20:00Z");
  auto stale = writer().update({by_id(1, R"({"name":{"value":"c"}})", 1)}, false, false);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "GAIA_CO02");
  EXPECT_EQ(stale.error().status, 409);
  EXPECT_EQ(at(1).values.at("name"), "b");
  EXPECT_TRUE(writer().update({by_id(1, R"({"name":{"value":"c"}})", -1)}, false, false));
  EXPECT_TRUE(writer().update({by_id(1, R"({})")}, false, false));
  EXPECT_EQ(at(1).revision, 4);  // an update that changes nothing still counts
  auto missing = writer().update({by_id(9, R"({})")}, false, false);
  EXPECT_EQ(missing.error().code, "GAIA_RE01");
}

TEST_F(kintone_writer, unique_fields_refuse_duplicates_in_the_store_and_in_the_batch) {
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"},"member_no":{"value":"10"}})")}));
  auto dup = add({rec(R"({"customer_code":{"value":"Z"},"name":{"value":"z"}})"),
                  rec(R"({"customer_code":{"value":"A"},"name":{"value":"a2"},"member_no":{"value":"1e1"}})"),
                  rec(R"({"customer_code":{"value":"Z"},"name":{"value":"z2"}})")});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "CB_VA01");
  EXPECT_EQ(keys(dup.error()), (std::vector<std::string>{"records[1].customer_code.value", "records[1].member_no.value",
                                                         "records[2].customer_code.value"}));
  EXPECT_EQ(store_.records(1).size(), 1u);  // all or nothing
  EXPECT_EQ(store_.next_id(1), 2);          // no id was used up
  // Blank unique values never clash; a record may keep its own value.
  EXPECT_TRUE(add({rec(R"({"customer_code":{"value":"B"},"name":{"value":"b"}})"),
                   rec(R"({"customer_code":{"value":"C"},"name":{"value":"c"}})")}));
  EXPECT_TRUE(writer().update({by_id(1, R"({"customer_code":{"value":"A"}})")}, false, false));
  auto single = writer().update({by_id(2, R"({"customer_code":{"value":"A"}})")}, false, false);
  EXPECT_EQ(keys(single.error()), (std::vector<std::string>{"record.customer_code.value"}));
}

TEST_F(kintone_writer, required_fields_and_bad_values_are_keyed_like_kintone) {
  auto bad =
      add({rec(R"({"customer_code":{"value":"A"},"credit_limit":{"value":"abc"},"tags":{"value":["gold"]}})")}, false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(keys(bad.error()),
            (std::vector<std::string>{"record[credit_limit].value", "record.tags.value", "record.name.value"}));
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"}})")}));
  auto cleared = writer().update({by_id(1, R"({"name":{"value":""}})")}, false, false);
  EXPECT_EQ(keys(cleared.error()), (std::vector<std::string>{"record.name.value"}));
  auto user =
      add({rec(R"({"customer_code":{"value":"U"},"name":{"value":"u"},"owner":{"value":[{"code":"ghost"}]}})")});
  EXPECT_EQ(user.error().code, "GAIA_IL26");
}

TEST_F(kintone_writer, update_by_key_and_upsert) {
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"},"member_no":{"value":"7"}})")}));
  update_item by_number;
  by_number.key_field = "member_no";
  by_number.key_value = json::string("7.0");
  by_number.record = json::parse(R"({"name":{"value":"seven"}})");
  ASSERT_TRUE(writer().update({by_number}, false, false));
  EXPECT_EQ(at(1).values.at("name"), "seven");
  update_item absent = by_number;
  absent.key_value = json::string("8");
  EXPECT_EQ(writer().update({absent}, false, false).error().code, "GAIA_RE20");
  update_item not_unique = by_number;
  not_unique.key_field = "name";
  EXPECT_EQ(keys(writer().update({not_unique}, false, false).error()), (std::vector<std::string>{"updateKey.field"}));
  // upsert: C is inserted (with its key), A updated; ids and operations come back in order.
  update_item a, c;
  a.key_field = c.key_field = "customer_code";
  a.key_value = json::string("A");
  c.key_value = json::string("C");
  a.record = json::parse(R"({"credit_limit":{"value":"5"}})");
  c.record = json::parse(R"({"name":{"value":"c"}})");
  auto up = writer().update({c, a}, true, true);
  ASSERT_TRUE(up);
  EXPECT_EQ((*up)[0].id, 2);
  EXPECT_TRUE((*up)[0].inserted);
  EXPECT_EQ((*up)[0].revision, 1);
  EXPECT_EQ((*up)[1].id, 1);
  EXPECT_FALSE((*up)[1].inserted);
  EXPECT_EQ((*up)[1].revision, 3);
  EXPECT_EQ(at(2).values.at("customer_code"), "C");
  // The same new key twice: the first item inserts, the second updates what it inserted.
  update_item e1 = c, e2 = c;
  e1.key_value = e2.key_value = json::string("E");
  e2.record = json::parse(R"({"name":{"value":"e2"}})");
  auto twice = writer().update({e1, e2}, true, true);
  ASSERT_TRUE(twice);
  EXPECT_TRUE((*twice)[0].inserted);
  EXPECT_EQ((*twice)[0].revision, 1);
  EXPECT_FALSE((*twice)[1].inserted);
  EXPECT_EQ((*twice)[1].revision, 2);
  EXPECT_EQ((*twice)[0].id, (*twice)[1].id);
  EXPECT_EQ(at((*twice)[0].id).values.at("name"), "e2");
  // An upsert insert still needs the required fields.
  update_item d = c;
  d.key_value = json::string("D");
  d.record = json::parse("{}");
  EXPECT_EQ(keys(writer().update({d}, true, true).error()), (std::vector<std::string>{"records[0].name.value"}));
}

TEST_F(kintone_writer, a_failing_item_leaves_the_whole_batch_unapplied) {
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"}})"),
                   rec(R"({"customer_code":{"value":"B"},"name":{"value":"b"}})")}));
  auto done = writer().update({by_id(1, R"({"name":{"value":"changed"}})"), by_id(2, R"({"name":{"value":"x"}})", 5)},
                              true, false);
  EXPECT_EQ(done.error().code, "GAIA_CO02");
  EXPECT_EQ(at(1).values.at("name"), "a");
  EXPECT_EQ(at(1).revision, 1);
  auto removed = writer().remove({1, 2}, {1, 2});
  EXPECT_EQ(removed.error().code, "GAIA_CO02");
  EXPECT_EQ(store_.records(1).size(), 2u);
  EXPECT_EQ(writer().remove({1, 3}, {}).error().code, "GAIA_RE01");
  EXPECT_TRUE(writer().remove({2, 1}, {-1, 1}));
  EXPECT_TRUE(store_.records(1).empty());
  // Ids are never reused.
  auto again = add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"}})")});
  EXPECT_EQ(again->front().id, 3);
}

TEST_F(kintone_writer, system_fields_only_on_add_and_only_for_app_admins) {
  const char* with_system = R"({"customer_code":{"value":"A"},"name":{"value":"a"},
      "Created_by":{"value":{"code":"sato"}},"Created_datetime":{"value":"2020-05-05T05:05:05Z"}})";
  auto denied = add({rec(with_system)});
  EXPECT_EQ(denied.error().code, "GAIA_NO01");
  auto done = writer(true).add({rec(with_system)}, false);
  ASSERT_TRUE(done);
  EXPECT_EQ(at(1).creator.code, "sato");
  EXPECT_EQ(at(1).modifier.code, "Administrator");
  EXPECT_EQ(format_datetime(at(1).created_ms), "2020-05-05T05:05:00Z");
  auto on_update = writer(true).update({by_id(1, R"({"Created_by":{"value":{"code":"suzuki"}}})")}, false, false);
  EXPECT_EQ(keys(on_update.error()), (std::vector<std::string>{"record[Created_by].value"}));
  auto id =
      writer(true).add({rec(R"({"customer_code":{"value":"B"},"name":{"value":"b"},"$id":{"value":"99"}})")}, false);
  EXPECT_EQ(keys(id.error()), (std::vector<std::string>{"record[$id].value"}));
}

TEST_F(kintone_writer, subtable_rows_keep_their_ids_on_update) {
  ASSERT_TRUE(add({rec(R"({"customer_code":{"value":"A"},"name":{"value":"a"},
      "contacts":{"value":[{"value":{"contact_name":{"value":"x"}}},{"value":{"contact_name":{"value":"y"}}}]}})")}));
  const auto rows = at(1).values.at("contacts").as_array();
  ASSERT_EQ(rows.size(), 2u);
  const std::string second(rows[1].at("id").as_string());
  const std::string body =
      R"({"contacts":{"value":[{"id":")" + second + R"(","value":{"contact_phone":{"value":"123"}}}]}})";
  ASSERT_TRUE(writer().update({by_id(1, body.c_str())}, false, false));
  const auto& now = at(1).values.at("contacts").as_array();
  ASSERT_EQ(now.size(), 1u);  // the table is replaced by what was sent
  EXPECT_EQ(now[0].at("id").as_string(), second);
  EXPECT_EQ(now[0].at("value").at("contact_name").at("value"), "y");
  EXPECT_EQ(now[0].at("value").at("contact_phone").at("value"), "123");
}

}  // namespace
}  // namespace kintone_emulator
